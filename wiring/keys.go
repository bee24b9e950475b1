package wiring

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/hexashop/hexashop/adapters/jwt"
	"github.com/hexashop/hexashop/ports"
)

// Keys runs `hexashop keys generate|list|prune|public`: the signing key set file, written
// and read on the operator's machine (never over HTTP). cfg gives the token lifetime,
// leeway and JWKS max-age that retirements must leave room for.
func Keys(cfg Config, args []string, out io.Writer) error {
	if len(args) == 0 {
		return errors.New("keys: want generate, list, prune or public")
	}
	fs := flag.NewFlagSet("keys "+args[0], flag.ContinueOnError)
	file := fs.String("file", "", "the key set file (JWT_KEYS_FILE); required")
	alg := fs.String("alg", cfg.JWTAlg, "generate: ES256 or RS256")
	bits := fs.Int("bits", 3072, "generate: RSA key size (at least 2048)")
	lead := max(time.Hour, 2*cfg.JWKSMaxAge)
	signIn := fs.Duration("sign-in", lead, "generate: the new key signs this long from now (published meanwhile)")
	signFrom := fs.String("sign-from", "", "generate: the new key signs from this RFC 3339 time instead")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *file == "" {
		return errors.New("keys: --file is required")
	}
	keys, err := readKeyFile(*file, args[0] == "generate")
	if err != nil {
		return err
	}
	l := jwt.Lifetime{TokenTTL: cfg.TokenTTL, Leeway: cfg.JWTLeeway, JWKSMaxAge: cfg.JWKSMaxAge}
	now := time.Now()
	switch args[0] {
	case "generate":
		from := now.Add(*signIn)
		if *signFrom != "" {
			if from, err = time.Parse(time.RFC3339, *signFrom); err != nil {
				return fmt.Errorf("keys generate: --sign-from: %w", err)
			}
		}
		if len(keys) == 0 && from.After(now) && *signFrom == "" {
			from = now // the first key signs at once
		}
		k, err := jwt.GenerateKey(*alg, *bits, from)
		if err != nil {
			return fmt.Errorf("keys generate: %w", err)
		}
		// The key it replaces verifies until every token it signed has expired and every
		// verifier has fetched the new set: retire_at = sign_from + TTL + leeway + max-age,
		// plus a minute for clocks.
		slices.SortFunc(keys, func(a, b ports.TokenKey) int { return a.SignFrom.Compare(b.SignFrom) })
		if n := len(keys); n > 0 && keys[n-1].RetireAt.IsZero() {
			if !k.SignFrom.After(keys[n-1].SignFrom) {
				return errors.New("keys generate: the new key must sign after the newest one in the set")
			}
			keys[n-1].RetireAt = k.SignFrom.Add(l.Min() + time.Minute).Truncate(time.Second)
		}
		keys = append(keys, k)
		if err := jwt.CheckKeySet(keys, k.SignFrom, l, false); err != nil {
			return fmt.Errorf("keys generate: %w", err)
		}
		if err := writeKeyFile(*file, keys); err != nil {
			return err
		}
		_, err = fmt.Fprintf(out, "added %s %s, signing from %s; published now: deploy the file before then (at least JWKS_MAX_AGE %s ahead)\n",
			k.Algorithm, k.ID, k.SignFrom.Format(time.RFC3339), cfg.JWKSMaxAge)
		return err
	case "list":
		states := jwt.States(keys, now)
		w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
		_, _ = fmt.Fprintln(w, "KID\tALG\tSTATE\tSIGN FROM\tRETIRE AT") // tabwriter errors come back from Flush
		for _, k := range keys {
			retire := "-"
			if !k.RetireAt.IsZero() {
				retire = k.RetireAt.Format(time.RFC3339)
			}
			_, _ = fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", k.ID, k.Algorithm, states[k.ID], k.SignFrom.Format(time.RFC3339), retire)
		}
		return w.Flush()
	case "prune":
		states := jwt.States(keys, now)
		kept := slices.DeleteFunc(slices.Clone(keys), func(k ports.TokenKey) bool { return states[k.ID] == jwt.StateGone })
		if err := writeKeyFile(*file, kept); err != nil {
			return err
		}
		_, err = fmt.Fprintf(out, "removed %d gone keys, %d left\n", len(keys)-len(kept), len(kept))
		return err
	case "public":
		i, err := jwt.New(context.Background(), jwt.Config{Keys: jwt.KeysOf(keys...), Issuer: "-", Audience: "-",
			TTL: cfg.TokenTTL, Leeway: cfg.JWTLeeway, JWKSMaxAge: cfg.JWKSMaxAge, Secret: []byte("keys public: no secret, no signing")})
		if err != nil {
			return err
		}
		doc, _, err := i.PublishedKeys()
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(out, "%s\n", doc)
		return err
	}
	return fmt.Errorf("keys: unknown command %q: want generate, list, prune or public", args[0])
}

func readKeyFile(path string, mayBeMissing bool) ([]ports.TokenKey, error) {
	doc, err := os.ReadFile(path) //nolint:gosec // G304: the operator's own key file, named on the command line
	if errors.Is(err, os.ErrNotExist) && mayBeMissing {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("keys: %w", err)
	}
	return jwt.ParseKeySet(doc)
}

// writeKeyFile replaces path atomically, readable by its owner only.
func writeKeyFile(path string, keys []ports.TokenKey) error {
	doc, err := jwt.MarshalKeySet(keys)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".keys-*")
	if err != nil {
		return fmt.Errorf("keys: %w", err)
	}
	defer func() { _ = os.Remove(tmp.Name()) }() // gone after the rename
	if err := tmp.Chmod(0o600); err != nil {
		return err
	}
	if _, err := tmp.Write(append(doc, '\n')); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
