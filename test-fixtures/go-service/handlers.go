package main

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/smtp"
	"strconv"
)

// Server holds what the handlers share.
type Server struct {
	store  *Store
	mailer *Mailer
	log    *slog.Logger
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func intParam(r *http.Request, name string, def, max int) int {
	n, err := strconv.Atoi(r.URL.Query().Get(name))
	if err != nil || n <= 0 {
		return def
	}
	if n > max {
		return max
	}
	return n
}

func (s *Server) listOrders(w http.ResponseWriter, r *http.Request) {
	userID, err := strconv.ParseInt(r.PathValue("userID"), 10, 64)
	if err != nil {
		http.Error(w, "bad user id", http.StatusBadRequest)
		return
	}
	limit := intParam(r, "limit", 50, 200)
	orders, err := s.store.OrdersPage(r.Context(), userID, limit, intParam(r, "offset", 0, 1_000_000))
	if err != nil {
		s.log.Error("orders page", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	writeJSON(w, http.StatusOK, orders)
}

func (s *Server) listProducts(w http.ResponseWriter, r *http.Request) {
	rows, err := s.store.db.QueryContext(r.Context(), "SELECT id, name, sold FROM products ORDER BY name") // expect: unbounded-fetch
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	defer rows.Close()
	var out []Product
	for rows.Next() {
		var p Product
		if err := rows.Scan(&p.ID, &p.Name, &p.Sold); err != nil {
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		out = append(out, p)
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) getProduct(w http.ResponseWriter, r *http.Request) {
	var p Product
	err := s.store.db.QueryRowContext(r.Context(), "SELECT id, name, sold FROM products WHERE id = $1", r.PathValue("id")).Scan(&p.ID, &p.Name, &p.Sold) // ok: unbounded-fetch
	if err != nil {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

func (s *Server) stats(w http.ResponseWriter, r *http.Request) {
	var orders, users int64
	if err := s.store.db.QueryRowContext(r.Context(), "SELECT COUNT(*) FROM orders").Scan(&orders); err != nil { // ok: unbounded-fetch -- one row
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	if err := s.store.db.QueryRowContext(r.Context(), "SELECT COUNT(*) FROM users").Scan(&users); err != nil { // ok: unbounded-fetch -- one row
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	writeJSON(w, http.StatusOK, map[string]int64{"orders": orders, "users": users})
}

func (s *Server) bestSellers(w http.ResponseWriter, r *http.Request) {
	products, err := s.store.TopProducts(r.Context())
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	writeJSON(w, http.StatusOK, products)
}

type signupRequest struct {
	Email string `json:"email"`
	Name  string `json:"name"`
}

func (s *Server) signup(w http.ResponseWriter, r *http.Request) {
	var req signupRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Email == "" {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	id, err := s.store.CreateUser(r.Context(), req.Email, req.Name)
	if err != nil {
		http.Error(w, "could not create user", http.StatusConflict)
		return
	}
	body := []byte(fmt.Sprintf("To: %s\r\nSubject: Welcome to Acme\r\n\r\nHi %s, thanks for signing up.\r\n", req.Email, req.Name))
	if err := smtp.SendMail(s.mailer.addr, s.mailer.auth, s.mailer.from, []string{req.Email}, body); err != nil { // expect: sync-smtp-in-request
		s.log.Warn("welcome mail", "err", err)
	}
	writeJSON(w, http.StatusCreated, map[string]int64{"id": id})
}

func (s *Server) requestPasswordReset(w http.ResponseWriter, r *http.Request) {
	email := r.FormValue("email")
	token, err := newResetToken()
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	body := []byte(fmt.Sprintf("To: %s\r\nSubject: Reset your password\r\n\r\nYour code: %s\r\n", email, token))
	// Sent after the response, off the request path.
	go func(to string, msg []byte) {
		if err := smtp.SendMail(s.mailer.addr, s.mailer.auth, s.mailer.from, []string{to}, msg); err != nil { // ok: sync-smtp-in-request
			s.log.Warn("reset mail", "err", err)
		}
	}(email, body)
	w.WriteHeader(http.StatusAccepted)
}
