from rest_framework import generics, mixins, viewsets
from rest_framework.decorators import api_view
from rest_framework.response import Response

from .models import Currency, Order, Review
from .pagination import OrderPages
from .serializers import CurrencySerializer, OrderSerializer, ReviewSerializer


class OrderViewSet(viewsets.ModelViewSet):
    # expect: unbounded-fetch -- every order of every shopper in one response: no pagination anywhere
    queryset = Order.objects.order_by("-created_at")
    serializer_class = OrderSerializer


class ReviewFeed(mixins.ListModelMixin, viewsets.GenericViewSet):
    pagination_class = None
    queryset = Review.objects.all()  # expect: unbounded-fetch
    serializer_class = ReviewSerializer


class PagedOrders(generics.ListAPIView):
    queryset = Order.objects.all()  # ok: unbounded-fetch -- a page of at most 200
    serializer_class = OrderSerializer
    pagination_class = OrderPages


class MyOrders(generics.ListAPIView):
    queryset = Order.objects.all()  # ok: unbounded-fetch -- get_queryset decides the rows
    serializer_class = OrderSerializer
    pagination_class = None

    def get_queryset(self):
        return Order.objects.filter(buyer=self.request.user)[:100]


class OrderDetail(generics.RetrieveAPIView):
    queryset = Order.objects.all()  # ok: unbounded-fetch -- one row by its key
    serializer_class = OrderSerializer


class Currencies(generics.ListAPIView):
    queryset = Currency.objects.all()  # ok: unbounded-fetch -- staff-filled, does not grow with users
    serializer_class = CurrencySerializer
    pagination_class = None


@api_view(["GET"])
def export_reviews(request):
    # expect: unbounded-fetch -- serializes every review at once
    data = ReviewSerializer(Review.objects.select_related("order"), many=True).data
    recent = ReviewSerializer(Review.objects.order_by("-id")[:20], many=True).data  # ok: unbounded-fetch
    return Response({"all": data, "recent": recent})
