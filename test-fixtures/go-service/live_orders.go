package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"log"
	"net/http"
	"sync"

	"github.com/gorilla/websocket"
	lru "github.com/hashicorp/golang-lru/v2"
)

var upgrader = websocket.Upgrader{ReadBufferSize: 1024, WriteBufferSize: 1024} // ok: in-process-shared-state

var statusLabels = map[string]string{"paid": "Paid", "shipped": "On its way", "delivered": "Delivered"} // ok: in-process-shared-state

// The back-office dashboards watching order statuses.
var dashboards = make(map[*websocket.Conn]bool) // expect: in-process-shared-state
var dashboardsMu sync.Mutex

type StatusEvent struct {
	OrderID int64  `json:"order_id"`
	Status  string `json:"status"`
	Label   string `json:"label"`
}

func serveDashboard(w http.ResponseWriter, r *http.Request) {
	conn, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	dashboardsMu.Lock()
	dashboards[conn] = true
	dashboardsMu.Unlock()
}

func publishStatus(ev StatusEvent) {
	ev.Label = statusLabels[ev.Status]
	dashboardsMu.Lock()
	defer dashboardsMu.Unlock()
	for conn := range dashboards {
		if err := conn.WriteJSON(ev); err != nil {
			conn.Close()
			delete(dashboards, conn)
		}
	}
}

// courierHub follows gorilla's chat example: couriers get the pickups near them.
type courierHub struct {
	couriers   map[*courierClient]bool // expect: in-process-shared-state
	broadcast  chan []byte
	register   chan *courierClient
	unregister chan *courierClient
}

type courierClient struct {
	conn *websocket.Conn
	send chan []byte
}

func (h *courierHub) run() {
	for {
		select {
		case c := <-h.register:
			h.couriers[c] = true
		case c := <-h.unregister:
			delete(h.couriers, c)
			close(c.send)
		case msg := <-h.broadcast:
			for c := range h.couriers {
				select {
				case c.send <- msg:
				default:
					close(c.send)
					delete(h.couriers, c)
				}
			}
		}
	}
}

// productCatalog serves product names to the order pages.
type productCatalog struct {
	db    *sql.DB
	names *lru.Cache[int64, Product] // expect: in-process-shared-state
}

func (c *productCatalog) Product(ctx context.Context, id int64) (Product, error) {
	if p, ok := c.names.Get(id); ok {
		return p, nil
	}
	var p Product
	err := c.db.QueryRowContext(ctx, "SELECT id, name, sold FROM products WHERE id = $1", id).Scan(&p.ID, &p.Name, &p.Sold)
	if err != nil {
		return Product{}, err
	}
	c.names.Add(id, p)
	return p, nil
}

func echoOnce(w http.ResponseWriter, r *http.Request) {
	conn, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	peers := map[*websocket.Conn]bool{conn: true} // ok: in-process-shared-state -- one request's own map
	for p := range peers {
		body, _ := json.Marshal(StatusEvent{Status: "connected"})
		if err := p.WriteMessage(websocket.TextMessage, body); err != nil {
			log.Print(err)
		}
	}
}
