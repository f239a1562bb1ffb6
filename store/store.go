// Package store keeps Aduan's data in PostgreSQL through pgx: reporters,
// conversations, messages, attachments, complaints, the transactional outbox
// and the audit log. One concrete Store type, one file per entity.
package store

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// ErrNotFound is returned when a looked-up row does not exist.
var ErrNotFound = errors.New("not found")

// Store is the database.
type Store struct {
	pool  *pgxpool.Pool
	crypt *nikCrypt
}

// DefaultMaxConns is the connection pool's size unless the database URL sets
// pool_max_conns: each intake partition's batch, the outbox relay, the
// delivery and rejected consumers and the web hold one while they work.
// pgx's own default (4 on two cores) left the relay waiting for a
// connection while the partitions ran, so replies left once a second, 100
// at a time (docs/performance.md).
const DefaultMaxConns = 24

// Open connects to the database at dbURL, creating the database when it does
// not exist yet, and applies pending migrations. nikKey (32 bytes) encrypts
// NIKs at rest; a key other than the one the database's NIKs are encrypted
// with is refused with ErrNIKKeyMismatch.
func Open(ctx context.Context, dbURL string, nikKey []byte) (*Store, error) {
	crypt, err := newNIKCrypt(nikKey)
	if err != nil {
		return nil, err
	}
	pcfg, err := pgxpool.ParseConfig(dbURL)
	if err != nil {
		return nil, fmt.Errorf("parsing database URL: %w", redactURLError(err))
	}
	if err := createDatabase(ctx, pcfg.ConnConfig); err != nil {
		return nil, err
	}
	if !strings.Contains(dbURL, "pool_max_conns") {
		pcfg.MaxConns = max(pcfg.MaxConns, DefaultMaxConns)
	}
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		return nil, fmt.Errorf("connecting to database: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connecting to database: %w", err)
	}
	s := &Store{pool: pool, crypt: crypt}
	if err := s.Migrate(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	if err := s.checkNIKKey(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return s, nil
}

// Close closes every connection.
func (s *Store) Close() { s.pool.Close() }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.pool.Ping(ctx) }

// createDatabase creates the database cfg names if it is missing, by
// connecting to the server's "postgres" database. A server we may not create
// databases on is fine as long as the database exists.
func createDatabase(ctx context.Context, cfg *pgx.ConnConfig) error {
	name := cfg.Database
	if name == "" || name == "postgres" {
		return nil
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err == nil {
		return conn.Close(ctx)
	}
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "3D000" { // invalid_catalog_name
		return fmt.Errorf("connecting to database %q: %w", name, err)
	}
	admin := cfg.Copy()
	admin.Database = "postgres"
	conn, err = pgx.ConnectConfig(ctx, admin)
	if err != nil {
		return fmt.Errorf("database %q is missing and the server refused a connection to create it: %w", name, err)
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	if err != nil && !isDuplicateDatabase(err) {
		return fmt.Errorf("creating database %q: %w", name, err)
	}
	return nil
}

func isDuplicateDatabase(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "42P04" // duplicate_database
}

// redactURLError keeps a password in a malformed URL out of error messages.
func redactURLError(err error) error {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		return errors.New(strings.ReplaceAll(err.Error(), uerr.URL, "<database url>"))
	}
	return err
}

// Tx is a database transaction with the repository methods that must run
// inside one.
type Tx struct {
	tx    pgx.Tx
	crypt *nikCrypt
}

// InTx runs fn in a transaction, committing when fn returns nil.
func (s *Store) InTx(ctx context.Context, fn func(tx *Tx) error) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		return fn(&Tx{tx: tx, crypt: s.crypt})
	})
}
