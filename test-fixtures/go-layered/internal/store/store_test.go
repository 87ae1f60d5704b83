package store

import (
	"context"
	"database/sql"
	"testing"
)

func TestBalances(t *testing.T) {
	// ok: pool-unconfigured -- a test's database
	db, err := sql.Open("pgx", "postgres://localhost/ledger_test")
	if err != nil {
		t.Fatal(err)
	}
	s := &Store{db: db}
	accounts, _ := s.RecentAccounts(context.Background())
	for _, a := range accounts {
		// ok: n-plus-one -- a test
		if _, err := s.BalanceOf(context.Background(), a.ID); err != nil {
			t.Fatal(err)
		}
	}
}
