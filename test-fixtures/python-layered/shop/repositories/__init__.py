from .orders import latest_order_of
