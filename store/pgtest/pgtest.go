// Package pgtest gives tests a fresh PostgreSQL database of their own.
//
// The databases are created on the server named by ADUAN_TEST_DATABASE_URL
// (default postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable),
// which must let its user create databases; `make test` sets it from
// deploy/postgres.sh. Each database is named aduan_test_<name>_<unix
// time>_<random> and dropped when its tests end; ones left by killed runs are
// dropped by a later run once they are an hour old.
//
// When no server is reachable, tests fail if the environment variable CI is
// set (to anything but "", "0" or "false"), and are skipped with a message
// otherwise, so a missing database never passes silently in CI.
//
// A package whose tests share one database:
//
//	var dbURL string
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Main(m, "store", &dbURL)) }
//
// A test that wants a database of its own:
//
//	url := pgtest.URL(t)
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// EnvAdminURL names the environment variable holding the admin URL.
const EnvAdminURL = "ADUAN_TEST_DATABASE_URL"

// DefaultAdminURL is used when EnvAdminURL is unset or empty.
const DefaultAdminURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// Prefix starts the name of every database this package creates.
const Prefix = "aduan_test_"

// StaleAfter is the age past which a leftover test database is dropped.
const StaleAfter = time.Hour

// ErrUnreachable is wrapped by errors from NewDatabase when no PostgreSQL
// server answers at the admin URL (as opposed to one that answers with an
// error, such as a failed login).
var ErrUnreachable = errors.New("PostgreSQL is not reachable")

// AdminURL returns the URL of the server and database (normally postgres)
// on which test databases are created: EnvAdminURL, or DefaultAdminURL.
func AdminURL() string {
	if u := strings.TrimSpace(os.Getenv(EnvAdminURL)); u != "" {
		return u
	}
	return DefaultAdminURL
}

// InCI reports whether the environment variable CI is set to a value other
// than "", "0" or "false": then a missing database is a failure.
func InCI() bool {
	switch strings.ToLower(strings.TrimSpace(os.Getenv("CI"))) {
	case "", "0", "false":
		return false
	}
	return true
}

// NewDatabase creates an empty UTF-8 database named after name on the admin
// server and returns its URL and a function that drops it (terminating its
// connections first). It also drops leftover test databases older than
// StaleAfter. An error wraps ErrUnreachable when no server answered.
func NewDatabase(ctx context.Context, name string) (dbURL string, drop func(), err error) {
	admin := AdminURL()
	conn, err := connect(ctx, admin)
	if err != nil {
		return "", nil, err
	}
	defer conn.Close(context.WithoutCancel(ctx))

	dropStale(ctx, conn, time.Now())

	db, err := newName(name, time.Now())
	if err != nil {
		return "", nil, err
	}
	dbURL, err = withDatabase(admin, db)
	if err != nil {
		return "", nil, err
	}
	sql := "CREATE DATABASE " + pgx.Identifier{db}.Sanitize() + " TEMPLATE template0 ENCODING 'UTF8'"
	for attempt := 0; ; attempt++ {
		_, err = conn.Exec(ctx, sql)
		var pgErr *pgconn.PgError
		// 55006: another session uses the template; retry briefly.
		if err == nil || attempt == 10 || !errors.As(err, &pgErr) || pgErr.Code != "55006" {
			break
		}
		time.Sleep(time.Duration(attempt+1) * 50 * time.Millisecond)
	}
	if err != nil {
		return "", nil, fmt.Errorf("creating test database %s: %w", db, err)
	}
	drop = func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := Drop(ctx, db); err != nil {
			fmt.Fprintf(os.Stderr, "pgtest: %v\n", err)
		}
	}
	return dbURL, drop, nil
}

// Drop drops the database db on the admin server, terminating its
// connections first. A database that does not exist is not an error.
func Drop(ctx context.Context, db string) error {
	conn, err := connect(ctx, AdminURL())
	if err != nil {
		return fmt.Errorf("dropping test database %s: %w", db, err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if err := dropDatabase(ctx, conn, db); err != nil {
		return fmt.Errorf("dropping test database %s: %w", db, err)
	}
	return nil
}

func dropDatabase(ctx context.Context, conn *pgx.Conn, db string) error {
	var version int
	if err := conn.QueryRow(ctx, "SELECT current_setting('server_version_num')::int").Scan(&version); err != nil {
		return err
	}
	if _, err := conn.Exec(ctx,
		"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", db); err != nil {
		return err
	}
	sql := "DROP DATABASE IF EXISTS " + pgx.Identifier{db}.Sanitize()
	if version >= 130000 {
		sql += " WITH (FORCE)"
	}
	_, err := conn.Exec(ctx, sql)
	return err
}

// staleRE finds the creation time in a test database's name; anything may
// follow it (tests derive databases such as <name>_new).
var staleRE = regexp.MustCompile(`^` + Prefix + `[a-z0-9_]*?_([0-9]{10})_[0-9a-f]{6}(_|$)`)

// dropStale drops test databases created more than StaleAfter before now.
// Errors are ignored: another run may be dropping the same ones.
func dropStale(ctx context.Context, conn *pgx.Conn, now time.Time) {
	rows, err := conn.Query(ctx, `SELECT datname FROM pg_database WHERE datname LIKE 'aduan\_test\_%'`)
	if err != nil {
		return
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return
	}
	for _, db := range names {
		m := staleRE.FindStringSubmatch(db)
		if m == nil {
			continue
		}
		sec, err := strconv.ParseInt(m[1], 10, 64)
		if err != nil || now.Sub(time.Unix(sec, 0)) < StaleAfter {
			continue
		}
		_ = dropDatabase(ctx, conn, db)
	}
}

// newName returns Prefix + the sanitized name + creation time + random
// suffix, short enough to leave room for derived names within PostgreSQL's
// 63-byte limit.
func newName(name string, now time.Time) (string, error) {
	var b [3]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return fmt.Sprintf("%s%s_%010d_%s", Prefix, sanitize(name), now.Unix(), hex.EncodeToString(b[:])), nil
}

// sanitize lowers name and keeps letters and digits, other runs becoming
// one underscore, at most 20 bytes.
func sanitize(name string) string {
	var b strings.Builder
	under := false
	for _, r := range strings.ToLower(name) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
			under = false
		} else if !under && b.Len() > 0 {
			b.WriteByte('_')
			under = true
		}
		if b.Len() >= 20 {
			break
		}
	}
	s := strings.TrimRight(b.String(), "_")
	if s == "" {
		s = "db"
	}
	return s
}

// withDatabase returns the admin connection string pointed at database db.
func withDatabase(admin, db string) (string, error) {
	if strings.HasPrefix(admin, "postgres://") || strings.HasPrefix(admin, "postgresql://") {
		u, err := url.Parse(admin)
		if err != nil {
			return "", fmt.Errorf("%s is not a valid URL: %w", EnvAdminURL, err)
		}
		u.Path = "/" + db
		u.RawPath = ""
		return u.String(), nil
	}
	// key=value form: a later keyword overrides an earlier one.
	return strings.TrimSpace(admin) + " dbname=" + db, nil
}

// connect opens an admin connection, waiting at most 10 seconds. An error
// wraps ErrUnreachable when no server answered.
func connect(ctx context.Context, connString string) (*pgx.Conn, error) {
	cfg, err := pgx.ParseConfig(connString)
	if err != nil {
		return nil, fmt.Errorf("parsing %s: %w", EnvAdminURL, err)
	}
	if cfg.ConnectTimeout == 0 || cfg.ConnectTimeout > 10*time.Second {
		cfg.ConnectTimeout = 10 * time.Second
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		where := net.JoinHostPort(cfg.Host, strconv.Itoa(int(cfg.Port)))
		if unreachable(err) {
			return nil, fmt.Errorf("%w at %s: %v", ErrUnreachable, where, err)
		}
		return nil, fmt.Errorf("connecting to %s as %s: %w", where, cfg.User, err)
	}
	return conn, nil
}

// unreachable tells a network failure (refused, timed out, no such host)
// from an answer by a server (bad password, unknown role).
func unreachable(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return false
	}
	var netErr net.Error
	return errors.As(err, &netErr) || errors.Is(err, context.DeadlineExceeded)
}

// hint says how to get a database, for skip and failure messages.
const hint = "start one with deploy/postgres.sh ensure or point " + EnvAdminURL + " at one; with CI set this is a failure, not a skip"

// Main runs a package's tests against one fresh database named after name,
// whose URL it stores in *dbURL before the tests run, and drops it after.
// It returns the exit code for os.Exit:
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Main(m, "store", &dbURL)) }
//
// When no server is reachable it returns 1 without running the tests if CI
// is set, and 0 (all tests of the package skipped, with a message on
// stderr) otherwise. Any other error fails.
func Main(m *testing.M, name string, dbURL *string) int {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	u, drop, err := NewDatabase(ctx, name)
	cancel()
	if err != nil {
		if errors.Is(err, ErrUnreachable) && !InCI() {
			fmt.Fprintf(os.Stderr, "pgtest: SKIP all tests of %s: %v\n  (%s)\n", name, err, hint)
			return 0
		}
		fmt.Fprintf(os.Stderr, "pgtest: FAIL %s: no test database: %v\n  (%s)\n", name, err, hint)
		return 1
	}
	*dbURL = u
	defer drop()
	return m.Run()
}

// URL creates a fresh database for the test t, named after the test, and
// returns its URL; the database is dropped when t ends. When no server is
// reachable, t fails if CI is set and is skipped otherwise.
func URL(t testing.TB) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	u, drop, err := NewDatabase(ctx, t.Name())
	if err != nil {
		if errors.Is(err, ErrUnreachable) && !InCI() {
			t.Skipf("pgtest: %v (%s)", err, hint)
		}
		t.Fatalf("pgtest: no test database: %v (%s)", err, hint)
	}
	t.Cleanup(drop)
	return u
}
