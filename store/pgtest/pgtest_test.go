package pgtest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// helperEnv selects a helper mode when this test binary is run by
// TestUnreachable: "main" runs Main, "url" runs TestHelperURL without it.
const helperEnv = "PGTEST_HELPER"

var dbURL string

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) == "url" {
		os.Exit(m.Run())
	}
	os.Exit(Main(m, "pgtest", &dbURL))
}

// TestHelperURL only runs in a child process started by TestUnreachable.
func TestHelperURL(t *testing.T) {
	if os.Getenv(helperEnv) == "" {
		t.Skip("helper for TestUnreachable")
	}
	URL(t)
	t.Log("got a database")
}

func connectTo(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("connecting to %s: %v", url, err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// exists reports whether database db exists, asked on the admin server.
func exists(t *testing.T, db string) bool {
	t.Helper()
	var n int
	err := connectTo(t, AdminURL()).QueryRow(context.Background(),
		"SELECT count(*) FROM pg_database WHERE datname = $1", db).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n == 1
}

func currentDatabase(t *testing.T, url string) string {
	t.Helper()
	var db string
	if err := connectTo(t, url).QueryRow(context.Background(), "SELECT current_database()").Scan(&db); err != nil {
		t.Fatal(err)
	}
	return db
}

func TestMainGivesADatabase(t *testing.T) {
	if dbURL == "" {
		t.Fatal("Main did not set the URL")
	}
	conn := connectTo(t, dbURL)
	var db, enc string
	var tables int
	err := conn.QueryRow(context.Background(), `SELECT current_database(), pg_encoding_to_char(encoding),
		(SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public')
		FROM pg_database WHERE datname = current_database()`).Scan(&db, &enc, &tables)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(db, "aduan_test_pgtest_") {
		t.Errorf("database %q, want aduan_test_pgtest_...", db)
	}
	if enc != "UTF8" || tables != 0 {
		t.Errorf("database has encoding %s and %d tables, want UTF8 and none", enc, tables)
	}
	if !staleRE.MatchString(db) {
		t.Errorf("name %q not recognised by the stale-database cleanup", db)
	}
}

func TestURLIsFreshAndDropped(t *testing.T) {
	var names []string
	for i := range 2 {
		t.Run(fmt.Sprintf("sub %d", i), func(t *testing.T) {
			url := URL(t)
			db := currentDatabase(t, url)
			if !strings.HasPrefix(db, "aduan_test_testurlisfreshanddro") {
				t.Errorf("database %q is not named after the test", db)
			}
			// Fresh: the table made by the previous subtest is not here.
			if _, err := connectTo(t, url).Exec(context.Background(), "CREATE TABLE t (id int)"); err != nil {
				t.Fatal(err)
			}
			names = append(names, db)
		})
	}
	if len(names) != 2 || names[0] == names[1] {
		t.Fatalf("databases %v, want two different ones", names)
	}
	for _, db := range names {
		if exists(t, db) {
			t.Errorf("database %s still exists after its test", db)
		}
	}
}

func TestDropTerminatesConnections(t *testing.T) {
	ctx := context.Background()
	url, drop, err := NewDatabase(ctx, "drop")
	if err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		drop()
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	db := currentDatabase(t, url)
	drop()
	if exists(t, db) {
		t.Fatalf("database %s survived drop with a connection open", db)
	}
	drop() // dropping twice is harmless
}

func TestStaleDatabasesDropped(t *testing.T) {
	ctx := context.Background()
	admin := connectTo(t, AdminURL())
	now := time.Now()
	old := fmt.Sprintf("aduan_test_killed_%010d_abcdef", now.Add(-2*time.Hour).Unix())
	oldDerived := fmt.Sprintf("aduan_test_killed_%010d_abcdef_new", now.Add(-3*time.Hour).Unix())
	recent := fmt.Sprintf("aduan_test_running_%010d_abcdef", now.Add(-10*time.Minute).Unix())
	other := "aduan_test_notours"
	for _, db := range []string{old, oldDerived, recent, other} {
		if _, err := admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{db}.Sanitize()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = Drop(context.Background(), db) })
	}

	_, drop, err := NewDatabase(ctx, "stale")
	if err != nil {
		t.Fatal(err)
	}
	drop()

	for db, want := range map[string]bool{old: false, oldDerived: false, recent: true, other: true} {
		if got := exists(t, db); got != want {
			t.Errorf("database %s exists = %v, want %v", db, got, want)
		}
	}
}

func TestNames(t *testing.T) {
	at := time.Unix(1764000000, 0)
	tests := []struct{ in, want string }{
		{"store", "aduan_test_store_1764000000_"},
		{"TestURL/sub 1", "aduan_test_testurl_sub_1_1764000000_"},
		{"--", "aduan_test_db_1764000000_"},
		{"a_very_long_package_name_indeed", "aduan_test_a_very_long_package_1764000000_"},
	}
	for _, tc := range tests {
		got, err := newName(tc.in, at)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(got, tc.want) || len(got) != len(tc.want)+6 {
			t.Errorf("newName(%q) = %q, want %s + 6 hex digits", tc.in, got, tc.want)
		}
		if !staleRE.MatchString(got) || !staleRE.MatchString(got+"_new") {
			t.Errorf("%q not recognised by the stale-database cleanup", got)
		}
		if len(got)+len("_new_database") > 63 {
			t.Errorf("%q leaves too little room below 63 bytes", got)
		}
	}
}

func TestWithDatabase(t *testing.T) {
	tests := []struct{ admin, want string }{
		{"postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable", "postgres://postgres@127.0.0.1:5432/x?sslmode=disable"},
		{"postgresql://u:p@h/", "postgresql://u:p@h/x"},
		{"host=127.0.0.1 dbname=postgres", "host=127.0.0.1 dbname=postgres dbname=x"},
	}
	for _, tc := range tests {
		got, err := withDatabase(tc.admin, "x")
		if err != nil || got != tc.want {
			t.Errorf("withDatabase(%q) = %q, %v; want %q", tc.admin, got, err, tc.want)
		}
	}
	cfg, err := pgx.ParseConfig("host=127.0.0.1 dbname=postgres dbname=x")
	if err != nil || cfg.Database != "x" {
		t.Errorf("a later dbname does not win: %v, %v", cfg, err)
	}
}

// closedPort returns a loopback port nothing listens on.
func closedPort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	return port
}

// TestUnreachable runs this test binary again with no server behind the
// admin URL, and checks that Main and URL fail under CI and skip otherwise,
// and that a server that answers with an error always fails.
func TestUnreachable(t *testing.T) {
	if testing.Short() {
		t.Skip("runs child processes")
	}
	down := fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", closedPort(t))
	cfg, err := pgx.ParseConfig(AdminURL())
	if err != nil {
		t.Fatal(err)
	}
	badRole := fmt.Sprintf("postgres://aduan_no_such_role@%s/postgres?sslmode=disable",
		net.JoinHostPort(cfg.Host, fmt.Sprint(cfg.Port)))

	tests := []struct {
		name, mode, url, ci string
		wantOK              bool
		want                []string
	}{
		{"Main under CI fails", "main", down, "true", false,
			[]string{"pgtest: FAIL pgtest: no test database: PostgreSQL is not reachable at 127.0.0.1:"}},
		{"Main without CI skips", "main", down, "", true,
			[]string{"pgtest: SKIP all tests of pgtest: PostgreSQL is not reachable", "deploy/postgres.sh ensure"}},
		{"Main with CI=false skips", "main", down, "false", true,
			[]string{"pgtest: SKIP"}},
		{"URL under CI fails", "url", down, "1", false,
			[]string{"--- FAIL: TestHelperURL", "PostgreSQL is not reachable"}},
		{"URL without CI skips", "url", down, "", true,
			[]string{"--- SKIP: TestHelperURL", "PostgreSQL is not reachable"}},
		{"a server refusing the login fails without CI", "url", badRole, "", false,
			[]string{"--- FAIL: TestHelperURL", "aduan_no_such_role"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command(os.Args[0], "-test.run=^TestHelperURL$", "-test.v", "-test.count=1")
			for _, kv := range os.Environ() {
				if !strings.HasPrefix(kv, "CI=") && !strings.HasPrefix(kv, EnvAdminURL+"=") {
					cmd.Env = append(cmd.Env, kv)
				}
			}
			cmd.Env = append(cmd.Env, helperEnv+"="+tc.mode, EnvAdminURL+"="+tc.url)
			if tc.ci != "" {
				cmd.Env = append(cmd.Env, "CI="+tc.ci)
			}
			out, err := cmd.CombinedOutput()
			if ok := err == nil; ok != tc.wantOK {
				t.Errorf("child exited with %v, want success = %v\n%s", err, tc.wantOK, out)
			}
			for _, w := range tc.want {
				if !strings.Contains(string(out), w) {
					t.Errorf("child output lacks %q:\n%s", w, out)
				}
			}
			if strings.Contains(string(out), "got a database") {
				t.Errorf("child got a database:\n%s", out)
			}
		})
	}
}
