package main

import (
	"database/sql"
	"net/http"
	"sync"
)

// redeemMu keeps two redemptions of the same coupon from racing.
var redeemMu sync.Mutex // expect: in-process-shared-state

// counterMu guards the in-memory request counter of the status page.
var counterMu sync.Mutex // ok: in-process-shared-state -- it guards memory, not the database
var served int

type Coupons struct {
	db *sql.DB
}

// Redeem marks a single-use coupon as used by the caller.
func (c *Coupons) Redeem(w http.ResponseWriter, r *http.Request) {
	code := r.FormValue("code")
	redeemMu.Lock()
	defer redeemMu.Unlock()
	var used bool
	if err := c.db.QueryRowContext(r.Context(), "SELECT used FROM coupons WHERE code = $1", code).Scan(&used); err != nil {
		http.Error(w, "unknown coupon", http.StatusNotFound)
		return
	}
	if used {
		http.Error(w, "already used", http.StatusConflict)
		return
	}
	if _, err := c.db.ExecContext(r.Context(), "UPDATE coupons SET used = true WHERE code = $1", code); err != nil {
		http.Error(w, "try again", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// Status counts the requests this instance served.
func Status(w http.ResponseWriter, r *http.Request) {
	counterMu.Lock()
	served++
	counterMu.Unlock()
	w.WriteHeader(http.StatusOK)
}
