package main

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"
)

// Jobs run on a ticker in the API process; none of them serves a request.
type Jobs struct {
	db     *sql.DB
	mailer *Mailer
	log    *slog.Logger
	rates  map[string]float64
}

// openJobsDB gives the jobs their own handle, so that a slow job cannot starve the API's pool.
func openJobsDB(dsn string) (*sql.DB, error) {
	db, err := sql.Open("postgres", dsn) // expect: pool-unconfigured
	if err != nil {
		return nil, err
	}
	return db, db.Ping()
}

// SendWeeklyDigest mails every opted-in user their order summary.
func (j *Jobs) SendWeeklyDigest(ctx context.Context) error {
	rows, err := j.db.QueryContext(ctx, "SELECT id, email FROM users WHERE digest_opt_in ORDER BY id LIMIT 1000") // expect: hardcoded-fetch-cap (error)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var email string
		if err := rows.Scan(&id, &email); err != nil {
			return err
		}
		if err := j.mailer.Send(email, "Your week at Acme", fmt.Sprintf("Summary for user %d", id)); err != nil {
			j.log.Warn("digest", "user", id, "err", err)
		}
	}
	return rows.Err()
}

// LoadCurrencies refreshes the exchange rates kept in memory; the table has ~170 rows.
func (j *Jobs) LoadCurrencies(ctx context.Context) error {
	rows, err := j.db.QueryContext(ctx, "SELECT code, rate FROM currencies") // ok: unbounded-fetch -- not a request handler
	if err != nil {
		return err
	}
	defer rows.Close()
	rates := make(map[string]float64)
	for rows.Next() {
		var code string
		var rate float64
		if err := rows.Scan(&code, &rate); err != nil {
			return err
		}
		rates[code] = rate
	}
	j.rates = rates
	return rows.Err()
}

// NotifyAdmins sends the nightly report to the admin list, one connection each.
func (j *Jobs) NotifyAdmins(ctx context.Context, report string) error {
	rows, err := j.db.QueryContext(ctx, "SELECT email FROM users WHERE role = 'admin'")
	if err != nil {
		return err
	}
	defer rows.Close()
	var admins []string
	for rows.Next() {
		var email string
		if err := rows.Scan(&email); err != nil {
			return err
		}
		admins = append(admins, email)
	}
	return j.mailer.SendEach(admins, "Nightly report", report)
}

func (j *Jobs) Run(ctx context.Context) {
	daily := time.NewTicker(24 * time.Hour)
	hourly := time.NewTicker(time.Hour)
	defer daily.Stop()
	defer hourly.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-hourly.C:
			if err := j.LoadCurrencies(ctx); err != nil {
				j.log.Error("currencies", "err", err)
			}
		case <-daily.C:
			if err := j.SendWeeklyDigest(ctx); err != nil {
				j.log.Error("digest", "err", err)
			}
		}
	}
}
