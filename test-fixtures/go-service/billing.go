package main

import (
	"context"
	"fmt"
	"time"

	"gorm.io/driver/postgres"
	"gorm.io/gorm"
)

// Invoice lives in the billing database, which the billing team still reaches through gorm.
type Invoice struct {
	ID         uint `gorm:"primaryKey"`
	CustomerID uint
	Status     string
	AmountDue  int64
	DueAt      time.Time
}

// Customer is who an invoice is for: one per signed-up account.
type Customer struct {
	ID    uint   `gorm:"primaryKey"`
	Email string `gorm:"uniqueIndex"`
}

// Plan is a price plan the finance team edits: a handful of rows.
type Plan struct {
	ID    uint `gorm:"primaryKey"`
	Name  string
	Cents int64
}

type Billing struct {
	db *gorm.DB
}

func openBilling(dsn string) (*Billing, error) {
	db, err := gorm.Open(postgres.Open(dsn), &gorm.Config{PrepareStmt: true}) // expect: pool-unconfigured
	if err != nil {
		return nil, fmt.Errorf("open billing db: %w", err)
	}
	return &Billing{db: db}, nil
}

// MarkOverdue flags the invoices past their due date.
func (b *Billing) MarkOverdue(ctx context.Context) (int, error) {
	var invoices []Invoice
	if err := b.db.WithContext(ctx).Where("status = ? AND due_at < ?", "open", time.Now()).Limit(500).Find(&invoices).Error; err != nil { // expect: hardcoded-fetch-cap (error)
		return 0, err
	}
	for _, inv := range invoices {
		if err := b.db.WithContext(ctx).Model(&inv).Update("status", "overdue").Error; err != nil {
			return 0, err
		}
	}
	return len(invoices), nil
}

// LargestDebtors is the top-5 box of the finance dashboard.
func (b *Billing) LargestDebtors(ctx context.Context) ([]Invoice, error) {
	var out []Invoice
	err := b.db.WithContext(ctx).Where("status = ?", "overdue").Order("amount_due DESC").Limit(5).Find(&out).Error // ok: hardcoded-fetch-cap
	return out, err
}

// InvoicesPage pages through a customer's invoices.
func (b *Billing) InvoicesPage(ctx context.Context, customerID uint, limit, offset int) ([]Invoice, error) {
	var out []Invoice
	err := b.db.WithContext(ctx).Where("customer_id = ?", customerID).Order("due_at DESC").Limit(limit).Offset(offset).Find(&out).Error // ok: hardcoded-fetch-cap
	return out, err
}

// ExportInvoices hands every invoice to the monthly finance export.
func (b *Billing) ExportInvoices(ctx context.Context) ([]Invoice, error) {
	var all []Invoice
	err := b.db.WithContext(ctx).Order("id").Find(&all).Error // expect: unbounded-fetch
	return all, err
}

// Plans lists the price plans for the pricing page.
func (b *Billing) Plans(ctx context.Context) ([]Plan, error) {
	plans := []Plan{}
	err := b.db.WithContext(ctx).Order("cents").Find(&plans).Error // ok: unbounded-fetch
	return plans, err
}
