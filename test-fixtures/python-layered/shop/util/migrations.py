# Helpers the data migrations share (a Django-style util/migrations.py): they run at deploy time.
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Customer


def merge_duplicate_customers(session: Session):
    for customer in session.execute(select(Customer)).scalars().all():
        # ok: n-plus-one -- a migration helper runs once, at deploy time
        twins = session.execute(select(Customer).where(Customer.email == customer.email)).scalars().all()
        for twin in twins[1:]:
            session.delete(twin)
