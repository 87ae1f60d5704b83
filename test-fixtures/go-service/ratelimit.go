package main

import (
	"context"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/didip/tollbooth/v7"
	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
	"github.com/ulule/limiter/v3"
	"github.com/ulule/limiter/v3/drivers/middleware/stdlib"
	"github.com/ulule/limiter/v3/drivers/store/memory"
	sredis "github.com/ulule/limiter/v3/drivers/store/redis"
	"golang.org/x/time/rate"
)

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// Per-visitor token buckets for the public API.
type visitor struct {
	limiter  *rate.Limiter
	lastSeen time.Time
}

var visitors = make(map[string]*visitor) // expect: in-memory-rate-limiter
var visitorsMu sync.Mutex

func visitorLimiter(ip string) *rate.Limiter {
	visitorsMu.Lock()
	defer visitorsMu.Unlock()
	v, ok := visitors[ip]
	if !ok {
		v = &visitor{limiter: rate.NewLimiter(5, 20)}
		visitors[ip] = v
	}
	v.lastSeen = time.Now()
	return v.limiter
}

func cleanupVisitors(ctx context.Context) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			visitorsMu.Lock()
			for ip, v := range visitors {
				if time.Since(v.lastSeen) > 3*time.Minute {
					delete(visitors, ip)
				}
			}
			visitorsMu.Unlock()
		}
	}
}

func rateLimit(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !visitorLimiter(clientIP(r)).Allow() {
			http.Error(w, http.StatusText(http.StatusTooManyRequests), http.StatusTooManyRequests)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// Login attempts: one bucket per address.
var loginLimiters = map[string]*rate.Limiter{} // expect: in-memory-rate-limiter
var loginMu sync.Mutex

func loginLimit(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ip := clientIP(r)
		loginMu.Lock()
		l, ok := loginLimiters[ip]
		if !ok {
			l = rate.NewLimiter(rate.Every(10*time.Second), 5)
			loginLimiters[ip] = l
		}
		loginMu.Unlock()
		if !l.Allow() {
			http.Error(w, "too many attempts", http.StatusTooManyRequests)
			return
		}
		next(w, r)
	}
}

// Cached plan names per user id: a cache, not a limiter.
var planCache = map[int64]string{} // ok: in-memory-rate-limiter
var planMu sync.RWMutex

func cachedPlan(userID int64) (string, bool) {
	planMu.RLock()
	defer planMu.RUnlock()
	plan, ok := planCache[userID]
	return plan, ok
}

// Partner API keys are limited in Redis, shared by every replica.
func partnerLimit(rdb *redis.Client, next http.Handler) http.Handler {
	rl := redis_rate.NewLimiter(rdb) // ok: in-memory-rate-limiter
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		res, err := rl.Allow(r.Context(), "partner:"+r.Header.Get("X-Api-Key"), redis_rate.PerMinute(600))
		if err != nil || res.Allowed == 0 {
			http.Error(w, http.StatusText(http.StatusTooManyRequests), http.StatusTooManyRequests)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// Export endpoints: 30 requests per hour per address, in Redis when it is configured.
func exportLimit(rdb *redis.Client) (func(http.Handler) http.Handler, error) {
	var store limiter.Store
	if rdb != nil {
		s, err := sredis.NewStoreWithOptions(rdb, limiter.StoreOptions{Prefix: "orders-api:export"}) // ok: in-memory-rate-limiter
		if err != nil {
			return nil, err
		}
		store = s
	} else {
		store = memory.NewStore() // expect: in-memory-rate-limiter
	}
	instance := limiter.New(store, limiter.Rate{Period: time.Hour, Limit: 30}) // ok: in-memory-rate-limiter -- the store decides
	return stdlib.NewMiddleware(instance).Handler, nil
}

// The metrics scrape endpoint gets a coarse cap.
func metricsLimit(next http.Handler) http.Handler {
	lmt := tollbooth.NewLimiter(2, nil) // expect: in-memory-rate-limiter
	return tollbooth.LimitHandler(lmt, next)
}
