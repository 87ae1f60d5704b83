import smtplib

from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from shop.models import Customer, Order

# ok: pool-unconfigured -- a test's engine
engine = create_engine("sqlite://")


def test_orders_of_each_customer():
    with Session(engine) as session:
        for customer in session.query(Customer).all():
            # ok: n-plus-one -- a test
            session.query(Order).filter(Order.customer_id == customer.id).all()


def test_receipt_smtp():
    # ok: sync-smtp-in-request -- a test
    with smtplib.SMTP("localhost", 1025) as smtp:
        smtp.noop()
