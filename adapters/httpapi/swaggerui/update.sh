#!/usr/bin/env bash
# Refreshes the vendored Swagger UI assets in dist/ from the npm package swagger-ui-dist.
# Usage: adapters/httpapi/swaggerui/update.sh VERSION   (make swagger-ui)
set -euo pipefail
version=${1:?usage: update.sh VERSION}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "swagger-ui-dist@$version" >/dev/null && tar xzf "swagger-ui-dist-$version.tgz")
rm -rf "$here/dist" && mkdir -p "$here/dist"
for f in LICENSE NOTICE swagger-ui-bundle.js swagger-ui-bundle.js.LICENSE.txt swagger-ui.css favicon-32x32.png; do
  cp "$work/package/$f" "$here/dist/$f"
done
echo "$version" > "$here/dist/VERSION"
echo "swagger-ui-dist $version vendored into $here/dist"
