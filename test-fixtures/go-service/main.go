package main

import (
	"context"
	"errors"
	"log"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"
)

func env(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// openEvents connects to the event store, sized for the ingest workers.
func openEvents(ctx context.Context, dsn string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, err
	}
	cfg.MaxConns = 20
	cfg.MaxConnIdleTime = 5 * time.Minute
	return pgxpool.NewWithConfig(ctx, cfg) // ok: pool-unconfigured
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	logger := slog.New(slog.NewJSONHandler(os.Stdout, nil))

	store, err := openStore(os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()

	// Audit trail: written by the middleware, read by support.
	audit, err := pgxpool.New(ctx, os.Getenv("AUDIT_DATABASE_URL")) // ok: pool-unconfigured -- the URL comes from the environment and may set pool_max_conns
	if err != nil {
		log.Fatal(err)
	}
	defer audit.Close()

	// Product search reads from a local pgbouncer sidecar.
	search, err := pgxpool.New(ctx, "postgres://search_ro@127.0.0.1:6432/search") // expect: pool-unconfigured
	if err != nil {
		log.Fatal(err)
	}
	defer search.Close()

	events, err := openEvents(ctx, os.Getenv("EVENTS_DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	defer events.Close()

	// Feature flags: a tiny pool is plenty, set in the URL.
	flags, err := pgxpool.New(ctx, "postgres://flags@flags-db:5432/flags?pool_max_conns=4") // ok: pool-unconfigured
	if err != nil {
		log.Fatal(err)
	}
	defer flags.Close()

	billing, err := openBilling(os.Getenv("BILLING_DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	reports := openReports(os.Getenv("WAREHOUSE_URL"))

	smtpPort, _ := strconv.Atoi(env("SMTP_PORT", "587"))
	mailer := newMailer(env("SMTP_HOST", "localhost"), smtpPort, os.Getenv("SMTP_USER"), os.Getenv("SMTP_PASSWORD"), env("MAIL_FROM", "no-reply@acme.test"))
	srv := &Server{store: store, mailer: mailer, log: logger}

	var rdb *redis.Client
	if url := os.Getenv("REDIS_URL"); url != "" {
		opts, err := redis.ParseURL(url)
		if err != nil {
			log.Fatal(err)
		}
		rdb = redis.NewClient(opts)
	}
	exports, err := exportLimit(rdb)
	if err != nil {
		log.Fatal(err)
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /users/{userID}/orders", srv.listOrders)
	mux.HandleFunc("GET /products", srv.listProducts)
	mux.HandleFunc("GET /products/best-sellers", srv.bestSellers)
	mux.HandleFunc("GET /products/{id}", srv.getProduct)
	mux.HandleFunc("GET /stats", srv.stats)
	mux.HandleFunc("POST /signup", srv.signup)
	mux.HandleFunc("POST /password-reset", loginLimit(srv.requestPasswordReset))
	mux.Handle("GET /reports/sales", exports(http.HandlerFunc(reports.salesHistory)))
	mux.Handle("GET /reports/sales/last-month", exports(http.HandlerFunc(reports.salesLastMonth)))
	mux.Handle("GET /reports/sales/latest", exports(http.HandlerFunc(reports.latestSales)))
	mux.Handle("GET /metrics", metricsLimit(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })))
	if rdb != nil {
		partner := http.NewServeMux()
		partner.HandleFunc("GET /partner/users/{userID}/orders", srv.listOrders)
		mux.Handle("/partner/", partnerLimit(rdb, partner))
	}

	jobsDB, err := openJobsDB(os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	defer jobsDB.Close()
	jobs := &Jobs{db: jobsDB, mailer: mailer, log: logger}
	go jobs.Run(ctx)
	go cleanupVisitors(ctx)
	go func() {
		if n, err := billing.MarkOverdue(ctx); err != nil {
			logger.Error("overdue", "err", err)
		} else {
			logger.Info("overdue", "invoices", n)
		}
	}()

	server := &http.Server{
		Addr:              env("ADDR", ":8080"),
		Handler:           rateLimit(mux),
		ReadHeaderTimeout: 5 * time.Second,
		WriteTimeout:      30 * time.Second,
	}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = server.Shutdown(shutdown)
	}()
	if err := server.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}
