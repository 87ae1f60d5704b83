package api

import (
	"encoding/json"
	"net/http"

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

func Routes(h *Handlers) *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/balances", h.Balances)
	return mux
}
