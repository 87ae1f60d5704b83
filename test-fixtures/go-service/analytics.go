package main

import (
	"database/sql"
	"fmt"
	"time"
)

// openAnalytics connects to the analytics database (PostgreSQL, max_connections = 100).
func openAnalytics(dsn string) (*sql.DB, error) {
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		return nil, fmt.Errorf("open analytics db: %w", err)
	}
	// "More connections, more throughput": 150 is more than the server accepts.
	db.SetMaxOpenConns(150) // expect: pool-oversized (error)
	db.SetMaxIdleConns(20)
	db.SetConnMaxLifetime(15 * time.Minute)
	return db, nil
}
