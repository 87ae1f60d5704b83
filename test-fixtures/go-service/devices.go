package main

import (
	"context"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
)

// Devices keeps the push tokens of each customer's phones.
type Devices struct {
	coll *mongo.Collection
}

func newDevices(db *mongo.Database) *Devices {
	return &Devices{coll: db.Collection("devices")}
}

func (d *Devices) ensureIndexes(ctx context.Context) error {
	_, err := d.coll.Indexes().CreateOne(ctx, mongo.IndexModel{Keys: bson.D{{Key: "token", Value: 1}}})
	return err
}

// ByToken finds the device a push receipt is about.
func (d *Devices) ByToken(ctx context.Context, token string) *mongo.SingleResult {
	return d.coll.FindOne(ctx, bson.M{"token": token}) // ok: missing-index -- `token` is indexed
}

// ForCustomer lists a customer's phones before each push.
func (d *Devices) ForCustomer(ctx context.Context, customerID string) (*mongo.Cursor, error) {
	return d.coll.Find(ctx, bson.M{"customer_id": customerID}) // expect: missing-index
}
