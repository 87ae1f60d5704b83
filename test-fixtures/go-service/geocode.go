package main

import (
	"database/sql"
	"encoding/json"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// An http.Client without a Transport of its own shares http.DefaultTransport, whose
// connections are pooled across requests: making one per request costs nothing.
var geoClient = &http.Client{Timeout: 5 * time.Second}

var (
	geoCacheOnce sync.Once
	geoCache     *redis.Client
)

type place struct {
	Lat float64 `json:"lat"`
	Lng float64 `json:"lng"`
}

// geocode resolves an address through the geocoding API.
func (s *Server) geocode(w http.ResponseWriter, r *http.Request) {
	client := &http.Client{Timeout: 3 * time.Second} // ok: per-request-client -- shares http.DefaultTransport
	resp, err := client.Get(os.Getenv("GEOCODER_URL") + "?q=" + r.URL.Query().Get("q"))
	if err != nil {
		http.Error(w, "geocoder unavailable", http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	var p place
	_ = json.NewDecoder(resp.Body).Decode(&p)
	writeJSON(w, http.StatusOK, p)
}

// reverseGeocode goes through the regional proxy.
func (s *Server) reverseGeocode(w http.ResponseWriter, r *http.Request) {
	client := &http.Client{
		Transport: &http.Transport{Proxy: http.ProxyFromEnvironment, MaxIdleConnsPerHost: 16}, // expect: per-request-client (warning)
		Timeout:   3 * time.Second,
	}
	resp, err := client.Get(os.Getenv("REVERSE_GEOCODER_URL") + "?latlng=" + r.URL.Query().Get("latlng"))
	if err != nil {
		http.Error(w, "geocoder unavailable", http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	var p place
	_ = json.NewDecoder(resp.Body).Decode(&p)
	writeJSON(w, http.StatusOK, p)
}

// zoneCount reads the delivery zones from the logistics database.
func (s *Server) zoneCount(w http.ResponseWriter, r *http.Request) {
	db, err := sql.Open("postgres", os.Getenv("LOGISTICS_DATABASE_URL")) // expect: per-request-client (error)
	if err != nil {
		http.Error(w, "logistics unavailable", http.StatusServiceUnavailable)
		return
	}
	defer db.Close()
	var n int
	if err := db.QueryRowContext(r.Context(), "SELECT count(*) FROM zones").Scan(&n); err != nil {
		http.Error(w, "logistics unavailable", http.StatusServiceUnavailable)
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"zones": n})
}

// geoHits counts geocoder calls per day.
func (s *Server) geoHits(w http.ResponseWriter, r *http.Request) {
	rdb := redis.NewClient(&redis.Options{Addr: os.Getenv("REDIS_ADDR")}) // expect: per-request-client (error)
	n, _ := rdb.Get(r.Context(), "geo:hits:"+time.Now().Format("2006-01-02")).Int()
	writeJSON(w, http.StatusOK, map[string]int{"hits": n})
}

// geoHitsShared does the same through one client, made by the first request.
func (s *Server) geoHitsShared(w http.ResponseWriter, r *http.Request) {
	geoCacheOnce.Do(func() {
		geoCache = redis.NewClient(&redis.Options{Addr: os.Getenv("REDIS_ADDR")}) // ok: per-request-client -- once per process
	})
	n, _ := geoCache.Get(r.Context(), "geo:hits:"+time.Now().Format("2006-01-02")).Int()
	writeJSON(w, http.StatusOK, map[string]int{"hits": n})
}
