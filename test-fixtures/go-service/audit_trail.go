package main

import (
	"context"
	"log/slog"
	"math/rand"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// statusRecorder remembers the status a handler wrote, for the audit trail.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

// auditTrail records every API call for support: who called what, and how it went.
func auditTrail(pool *pgxpool.Pool, logger *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
			started := time.Now()
			next.ServeHTTP(rec, r)
			// expect: per-request-db-write
			_, err := pool.Exec(r.Context(),
				`INSERT INTO audit_trail (user_id, method, path, status, duration_ms) VALUES ($1, $2, $3, $4, $5)`,
				r.Header.Get("X-User-ID"), r.Method, r.URL.Path, rec.status, time.Since(started).Milliseconds())
			if err != nil {
				logger.Warn("audit trail", "err", err)
			}
			if rec.status >= http.StatusInternalServerError {
				_, _ = pool.Exec(r.Context(), `INSERT INTO failed_requests (path, status) VALUES ($1, $2)`, r.URL.Path, rec.status) // ok: per-request-db-write -- error responses only
			}
		})
	}
}

// apiKeyUsage stamps the partner's API key with its last use.
type apiKeyUsage struct {
	pool *pgxpool.Pool
	next http.Handler
}

func (u *apiKeyUsage) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if key := r.Header.Get("X-Api-Key"); key != "" {
		go u.pool.Exec(context.Background(), `UPDATE api_keys SET last_used_at = now() WHERE key = $1`, key) // expect: per-request-db-write
	}
	u.next.ServeHTTP(w, r)
}

// sampledTimings keeps one request in a hundred for the latency dashboard.
func sampledTimings(pool *pgxpool.Pool, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		started := time.Now()
		next.ServeHTTP(w, r)
		if rand.Float64() < 0.01 {
			_, _ = pool.Exec(r.Context(), `INSERT INTO request_timings (path, duration_ms) VALUES ($1, $2)`, r.URL.Path, time.Since(started).Milliseconds()) // ok: per-request-db-write -- sampled
		}
	})
}

// auditRow is one line of the batched audit trail.
type auditRow struct {
	path   string
	status int
	at     time.Time
}

// auditBatcher takes audit rows from the middleware and copies them to Postgres once a second.
type auditBatcher struct {
	rows chan auditRow
	pool *pgxpool.Pool
}

func (b *auditBatcher) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		select {
		case b.rows <- auditRow{path: r.URL.Path, status: rec.status, at: time.Now()}: // ok: per-request-db-write -- buffered
		default: // the buffer is full: drop the row rather than hold the request
		}
	})
}

func (b *auditBatcher) run(ctx context.Context) {
	ticker := time.NewTicker(time.Second)
	defer ticker.Stop()
	var batch [][]any
	for {
		select {
		case row := <-b.rows:
			batch = append(batch, []any{row.path, row.status, row.at})
			continue
		case <-ticker.C:
		case <-ctx.Done():
			return
		}
		if len(batch) == 0 {
			continue
		}
		_, _ = b.pool.CopyFrom(ctx, pgx.Identifier{"audit_trail"}, []string{"path", "status", "at"}, pgx.CopyFromRows(batch)) // ok: per-request-db-write -- one batch per second
		batch = batch[:0]
	}
}

// recordSignup is called by the signup handler: a write on the route that needs it.
func recordSignup(ctx context.Context, pool *pgxpool.Pool, email string) error {
	_, err := pool.Exec(ctx, `INSERT INTO signups (email) VALUES ($1)`, email) // ok: per-request-db-write -- not middleware
	return err
}
