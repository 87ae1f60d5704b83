package store

import (
	"context"
	"database/sql"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
)

type Store struct {
	db *sql.DB
}

type Account struct {
	ID    int64
	Email string
}

func Open(dsn string) (*Store, error) {
	// ok: pool-unconfigured -- sized right below
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(25)
	db.SetMaxIdleConns(25)
	db.SetConnMaxLifetime(5 * time.Minute)
	return &Store{db: db}, nil
}

func (s *Store) RecentAccounts(ctx context.Context) ([]Account, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT id, email FROM accounts ORDER BY id DESC LIMIT 50")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Account
	for rows.Next() {
		var a Account
		if err := rows.Scan(&a.ID, &a.Email); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

func (s *Store) BalanceOf(ctx context.Context, accountID int64) (int64, error) {
	var cents int64
	err := s.db.QueryRowContext(ctx, "SELECT balance_cents FROM balances WHERE account_id = $1", accountID).Scan(&cents)
	return cents, err
}

// MaxPage is the largest page of entries one request reads.
const MaxPage = 200

// PageLimit is the page size to use: what the client asked for, at most MaxPage.
func PageLimit(requested int) int {
	if requested <= 0 {
		return 50
	}
	if requested > MaxPage {
		return MaxPage
	}
	return requested
}

func (s *Store) Entries(ctx context.Context, accountID int64, limit int) ([]int64, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT amount_cents FROM entries WHERE account_id = $1 ORDER BY id DESC LIMIT $2", accountID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var c int64
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
