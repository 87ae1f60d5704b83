package main

import (
	"context"

	"github.com/lib/pq"
)

// Line is one row of an order, as printed on the invoice.
type Line struct {
	OrderID    int64
	SKU        string
	Qty        int
	PriceCents int64
}

type BillingCustomer struct {
	ID    uint `gorm:"primaryKey"`
	Email string
}

// InvoiceLines loads the lines of several orders for the invoice PDF, one order at a time.
func (s *Store) InvoiceLines(ctx context.Context, orderIDs []int64) ([]Line, error) {
	var out []Line
	for _, id := range orderIDs {
		rows, err := s.db.QueryContext(ctx, "SELECT order_id, sku, qty, price_cents FROM order_lines WHERE order_id = $1", id) // expect: n-plus-one
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var l Line
			if err := rows.Scan(&l.OrderID, &l.SKU, &l.Qty, &l.PriceCents); err != nil {
				rows.Close()
				return nil, err
			}
			out = append(out, l)
		}
		rows.Close()
	}
	return out, nil
}

// InvoiceLinesBatched is the same in one query.
func (s *Store) InvoiceLinesBatched(ctx context.Context, orderIDs []int64) ([]Line, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT order_id, sku, qty, price_cents FROM order_lines WHERE order_id = ANY($1)", pq.Array(orderIDs)) // ok: n-plus-one
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Line
	for rows.Next() {
		var l Line
		if err := rows.Scan(&l.OrderID, &l.SKU, &l.Qty, &l.PriceCents); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// BuyerEmails maps each of a user's orders to the email of its buyer account.
func (s *Store) BuyerEmails(ctx context.Context, sellerID int64, limit int) (map[int64]string, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT id, user_id FROM orders WHERE seller_id = $1 ORDER BY id DESC LIMIT $2", sellerID, limit) // ok: hardcoded-fetch-cap
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	emails := make(map[int64]string)
	for rows.Next() {
		var orderID, userID int64
		if err := rows.Scan(&orderID, &userID); err != nil {
			return nil, err
		}
		var email string
		if err := s.db.QueryRowContext(ctx, "SELECT email FROM users WHERE id = $1", userID).Scan(&email); err != nil { // expect: n-plus-one
			return nil, err
		}
		emails[orderID] = email
	}
	return emails, rows.Err()
}

// StatusCounts counts the orders in each status shown on the dashboard.
func (s *Store) StatusCounts(ctx context.Context) (map[string]int64, error) {
	counts := make(map[string]int64)
	for _, status := range []string{"open", "paid", "refunded"} {
		var n int64
		if err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM orders WHERE status = $1", status).Scan(&n); err != nil { // ok: n-plus-one -- a fixed set of statuses
			return nil, err
		}
		counts[status] = n
	}
	return counts, nil
}

// DebtorEmails looks up the customer of each overdue invoice.
func (b *Billing) DebtorEmails(ctx context.Context, invoices []Invoice) ([]string, error) {
	emails := make([]string, 0, len(invoices))
	for _, inv := range invoices {
		var c BillingCustomer
		if err := b.db.WithContext(ctx).First(&c, inv.CustomerID).Error; err != nil { // expect: n-plus-one
			return nil, err
		}
		emails = append(emails, c.Email)
	}
	return emails, nil
}

// MarkReminded records the reminder on every invoice, one update each.
func (b *Billing) MarkReminded(ctx context.Context, invoices []Invoice) error {
	for _, inv := range invoices {
		if err := b.db.WithContext(ctx).Model(&inv).Update("status", "reminded").Error; err != nil { // ok: n-plus-one -- a write per item
			return err
		}
	}
	return nil
}
