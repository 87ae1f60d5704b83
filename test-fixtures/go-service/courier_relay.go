package main

import (
	"context"

	"github.com/redis/go-redis/v9"
)

// pickupRelay keeps this instance's courier sockets; pickups reach every instance through Redis.
type pickupRelay struct {
	rdb       *redis.Client
	couriers  map[*courierClient]bool // ok: in-process-shared-state -- fed by Redis pub/sub
	broadcast chan []byte
}

func (p *pickupRelay) listen(ctx context.Context) {
	sub := p.rdb.Subscribe(ctx, "pickups")
	defer sub.Close()
	for msg := range sub.Channel() {
		p.broadcast <- []byte(msg.Payload)
	}
}

func (p *pickupRelay) announce(ctx context.Context, payload []byte) error {
	return p.rdb.Publish(ctx, "pickups", payload).Err()
}
