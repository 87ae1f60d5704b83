import requests


def exchange_rate(currency: str) -> float:
    response = requests.get(f"https://rates.example.com/{currency}", timeout=5)
    return response.json()["rate"]


async def exchange_rate_async(client, currency: str) -> float:
    response = await client.get(f"https://rates.example.com/{currency}")
    return response.json()["rate"]
