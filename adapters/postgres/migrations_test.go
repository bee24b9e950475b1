package postgres_test

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReleasedMigrationsAreUnchanged: every migration is recorded in
// migrations/SHA256SUMS and still has its recorded checksum. A database that ran a
// migration never runs it again, so editing a released one changes nothing there and
// makes every fresh database differ from it: change the schema with a new migration
// (make migration NAME=...). A new migration is recorded with make migrations-sum once
// it is final.
func TestReleasedMigrationsAreUnchanged(t *testing.T) {
	sums := map[string]string{}
	f, err := os.Open("migrations/SHA256SUMS")
	if err != nil {
		t.Fatalf("%v: run make migrations-sum", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok {
			t.Fatalf("migrations/SHA256SUMS: malformed line %q", sc.Text())
		}
		sums[name] = sum
	}
	files, err := filepath.Glob("migrations/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("no migrations: %v", err)
	}
	for _, path := range files {
		name := filepath.Base(path)
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		h := sha256.Sum256(b)
		want, recorded := sums[name]
		delete(sums, name)
		switch {
		case !recorded:
			t.Errorf("migration %s is not recorded in migrations/SHA256SUMS: run make migrations-sum once it is final", name)
		case want != hex.EncodeToString(h[:]):
			t.Errorf("released migration %s was edited: databases that ran it will never see the change; revert it and "+
				"add a new migration (make migration NAME=...). Only if it never left your branch: make migrations-sum", name)
		}
	}
	for name := range sums {
		t.Errorf("migrations/SHA256SUMS records %s, which is gone: a released migration is never deleted", name)
	}
}
