package main

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	_ "github.com/lib/pq"
)

type Order struct {
	ID         int64
	UserID     int64
	Status     string
	TotalCents int64
	CreatedAt  time.Time
}

type Product struct {
	ID   int64
	Name string
	Sold int64
}

// Store is the orders database. Handlers get it through Server.
type Store struct {
	db *sql.DB
}

func openStore(dsn string) (*Store, error) {
	db, err := sql.Open("postgres", dsn) // ok: pool-unconfigured
	if err != nil {
		return nil, fmt.Errorf("open orders db: %w", err)
	}
	db.SetMaxOpenConns(40) // ok: pool-oversized -- one Go process, 40 < 100
	db.SetMaxIdleConns(10)
	db.SetConnMaxLifetime(30 * time.Minute)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		return nil, fmt.Errorf("ping orders db: %w", err)
	}
	return &Store{db: db}, nil
}

func scanOrders(rows *sql.Rows) ([]Order, error) {
	defer rows.Close()
	var out []Order
	for rows.Next() {
		var o Order
		if err := rows.Scan(&o.ID, &o.UserID, &o.Status, &o.TotalCents, &o.CreatedAt); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// OrdersPage returns one page of a user's orders, newest first.
func (s *Store) OrdersPage(ctx context.Context, userID int64, limit, offset int) ([]Order, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT id, user_id, status, total_cents, created_at FROM orders WHERE user_id = $1 ORDER BY created_at DESC LIMIT $2 OFFSET $3", userID, limit, offset) // ok: hardcoded-fetch-cap, over-fetch-multiplier
	if err != nil {
		return nil, err
	}
	return scanOrders(rows)
}

// VisibleOrders over-fetches and drops the orders hidden by the user.
func (s *Store) VisibleOrders(ctx context.Context, userID int64, limit int) ([]Order, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT id, user_id, status, total_cents, created_at FROM orders WHERE user_id = $1 ORDER BY created_at DESC LIMIT $2", userID, limit*2) // expect: over-fetch-multiplier
	if err != nil {
		return nil, err
	}
	orders, err := scanOrders(rows)
	if err != nil {
		return nil, err
	}
	visible := orders[:0]
	for _, o := range orders {
		if o.Status != "hidden" {
			visible = append(visible, o)
		}
	}
	if len(visible) > limit {
		visible = visible[:limit]
	}
	return visible, nil
}

// TopProducts is the "best sellers" box on the home page.
func (s *Store) TopProducts(ctx context.Context) ([]Product, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT id, name, sold FROM products WHERE active ORDER BY sold DESC LIMIT 5") // ok: hardcoded-fetch-cap
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Product
	for rows.Next() {
		var p Product
		if err := rows.Scan(&p.ID, &p.Name, &p.Sold); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// RecentOrders feeds the admin dashboard.
func (s *Store) RecentOrders(ctx context.Context) ([]Order, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT id, user_id, status, total_cents, created_at FROM orders ORDER BY created_at DESC LIMIT 1000") // expect: hardcoded-fetch-cap (warning)
	if err != nil {
		return nil, err
	}
	return scanOrders(rows)
}

func (s *Store) CreateUser(ctx context.Context, email, name string) (int64, error) {
	var id int64
	err := s.db.QueryRowContext(ctx, "INSERT INTO users (email, name) VALUES ($1, $2) RETURNING id", email, name).Scan(&id)
	return id, err
}

func (s *Store) Close() error { return s.db.Close() }
