from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models


class Shopper(AbstractUser):
    phone = models.CharField(max_length=32, blank=True)


class Order(models.Model):
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="orders")
    total_cents = models.IntegerField()
    created_at = models.DateTimeField(auto_now_add=True)


class Review(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE)
    rating = models.IntegerField()
    body = models.TextField()


class Currency(models.Model):
    """Filled by staff in the admin: a few dozen rows."""

    code = models.CharField(max_length=3, unique=True)
