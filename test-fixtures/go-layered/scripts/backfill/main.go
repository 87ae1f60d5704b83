package main

import (
	"context"
	"database/sql"
	"log"

	"example.com/ledger/internal/store"
)

func main() {
	// ok: pool-unconfigured -- a one-off script
	db, err := sql.Open("pgx", "postgres://localhost/ledger")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	s, _ := store.Open("postgres://localhost/ledger")
	accounts, _ := s.RecentAccounts(context.Background())
	for _, a := range accounts {
		// ok: n-plus-one -- a one-off script
		_, _ = s.BalanceOf(context.Background(), a.ID)
	}
}
