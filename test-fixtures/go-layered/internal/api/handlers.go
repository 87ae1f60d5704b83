package api

import (
	"encoding/json"
	"net/http"
	"strconv"

	"example.com/ledger/internal/store"
)

type Handlers struct {
	Store *store.Store
}

func (h *Handlers) Balances(w http.ResponseWriter, r *http.Request) {
	accounts, err := h.Store.RecentAccounts(r.Context())
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	out := map[int64]int64{}
	for _, a := range accounts {
		// expect: n-plus-one -- BalanceOf runs a query per account, in another package
		cents, err := h.Store.BalanceOf(r.Context(), a.ID)
		if err != nil {
			continue
		}
		out[a.ID] = cents
	}
	_ = json.NewEncoder(w).Encode(out)
}

func (h *Handlers) Entries(w http.ResponseWriter, r *http.Request) {
	account, _ := strconv.ParseInt(r.PathValue("account"), 10, 64)
	// ok: unbounded-page-size -- store.PageLimit caps it, in another package
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	entries, err := h.Store.Entries(r.Context(), account, store.PageLimit(limit))
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	_ = json.NewEncoder(w).Encode(entries)
}

func (h *Handlers) RecentEntries(w http.ResponseWriter, r *http.Request) {
	account, _ := strconv.ParseInt(r.PathValue("account"), 10, 64)
	// expect: unbounded-page-size -- handed to the query as the client sent it
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	entries, err := h.Store.Entries(r.Context(), account, limit)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	_ = json.NewEncoder(w).Encode(entries)
}

func Routes(h *Handlers) *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/balances", h.Balances)
	mux.HandleFunc("/accounts/{account}/entries", h.Entries)
	mux.HandleFunc("/accounts/{account}/entries/recent", h.RecentEntries)
	return mux
}

// Idempotency keys of payments already applied: a retried request must not pay twice.
var appliedKeys = map[string]bool{} // expect: in-process-shared-state -- each instance remembers only its own requests

func (h *Handlers) Pay(w http.ResponseWriter, r *http.Request) {
	key := r.Header.Get("Idempotency-Key")
	if appliedKeys[key] {
		w.WriteHeader(http.StatusOK)
		return
	}
	appliedKeys[key] = true
	w.WriteHeader(http.StatusAccepted)
}
