"""Drives the 领星 emulator with the public PyPI client `lingxingapi`: its own token call, its own signature
(nested values key-sorted, sign URL-encoded by the client and again by aiohttp) and its response models.
Usage: python drive_lingxingapi.py <emulator url> <appId> <appSecret> <start> <end>; prints one JSON line."""
import asyncio
import json
import sys

from lingxingapi import API
from lingxingapi.base import route


async def main(url: str, app_id: str, app_secret: str, start: str, end: str) -> None:
    route.API_SERVER = url  # the client has the host as a module constant
    async with API(app_id, app_secret) as api:
        first = await api.sales.Orders(start, end, time_type=2, offset=0, length=50)
        second = await api.sales.Orders(start, end, time_type=2, offset=50, length=50)
        orders = [order.amazon_order_id for order in first.data + second.data]
        print(json.dumps({
            "total": first.total_count,
            "orders": orders,
            "currencies": sorted({order.order_currency_code for order in first.data}),
            "modified": [order.modify_time_cnt for order in first.data[:3]],
        }))


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:6]))
