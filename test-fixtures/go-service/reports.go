package main

import (
	"net/http"
	"time"

	"github.com/jmoiron/sqlx"
)

// Reports read the analytics warehouse through sqlx.
type Reports struct {
	db *sqlx.DB
}

type DailySales struct {
	Day        time.Time `db:"day"`
	Orders     int64     `db:"orders"`
	TotalCents int64     `db:"total_cents"`
}

func openReports(dsn string) *Reports {
	return &Reports{db: sqlx.MustConnect("postgres", dsn)} // expect: pool-unconfigured
}

func (rep *Reports) salesHistory(w http.ResponseWriter, r *http.Request) {
	var days []DailySales
	if err := rep.db.SelectContext(r.Context(), &days, "SELECT day, orders, total_cents FROM daily_sales ORDER BY day"); err != nil { // expect: unbounded-fetch
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	writeJSON(w, http.StatusOK, days)
}

func (rep *Reports) salesLastMonth(w http.ResponseWriter, r *http.Request) {
	var days []DailySales
	since := time.Now().AddDate(0, -1, 0)
	if err := rep.db.SelectContext(r.Context(), &days, "SELECT day, orders, total_cents FROM daily_sales WHERE day >= $1 ORDER BY day", since); err != nil { // ok: unbounded-fetch
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	writeJSON(w, http.StatusOK, days)
}

func (rep *Reports) latestSales(w http.ResponseWriter, r *http.Request) {
	var days []DailySales
	if err := rep.db.SelectContext(r.Context(), &days, "SELECT day, orders, total_cents FROM daily_sales ORDER BY day DESC LIMIT 30"); err != nil { // ok: unbounded-fetch, hardcoded-fetch-cap
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	writeJSON(w, http.StatusOK, days)
}
