"""Drives the emulator's 企业版 API with the public PyPI client wangdiantong-py 0.3.0 and prints the raw answers as JSON.

usage: drive_wangdiantong_py.py <base_url> <sid> <appkey> <appsecret> <start_time> <end_time>
The secret arrives as an argument only because this is a test against the emulator's fixture.
"""
import datetime
import json
import sys

from wangdiantong.client import OpenApiClient

base_url, sid, appkey, appsecret, start, end = sys.argv[1:7]
OpenApiClient.API_BASE_URL = base_url
client = OpenApiClient(sid=sid, appkey=appkey, appsecret=appsecret)
fmt = "%Y-%m-%d %H:%M:%S"
start_time = datetime.datetime.strptime(start, fmt)
end_time = datetime.datetime.strptime(end, fmt)

out = {}
# The client's own endpoint: 货品档案, first two pages (0-based).
out["goods_page0"] = client.goods.query(start_time, end_time, page_no=0, page_size=5)
out["goods_page1"] = client.goods.query(start_time, end_time, page_no=1, page_size=5)
# Sales out-stock has no helper in this client; its generic signed POST reaches any script.
out["stockout"] = client.post(
    "/openapi2/stockout_order_query_trade.php",
    data={"start_time": start, "end_time": end, "status": 110, "is_by_modified": 1, "page_no": 0, "page_size": 100},
)
# A non-ASCII parameter: this client counts UTF-8 bytes, the server counts characters.
out["non_ascii"] = client.goods.query(start_time, end_time, page_no=0, page_size=5, class_name="服饰")
print(json.dumps(out, ensure_ascii=False))
