"""Drives the emulator's 旗舰版-through-奇门 route with the public PyPI client wdtqm 0.0.4; prints raw answers as JSON.

usage: drive_wdtqm.py <router_url> <qimen_app_key> <qimen_secret> <target_app_key> <wdt_key> <wdt_secret:salt> <sid> <start> <end>
Secrets arrive as arguments only because this is a test against the emulator's fixture. The client stamps TOP's
timestamp with the local clock, so run it with TZ=Asia/Shanghai.
"""
import json
import sys

import wdtqm

url, app_key, app_secret, target, wdt_key, wdt_secret, sid, start, end = sys.argv[1:10]
sdk = wdtqm.WdtQimenSDK(
    app_key=app_key,
    app_secret=app_secret,
    target_app_key=target,
    wdt_app_key=wdt_key,
    wdt_app_secret=wdt_secret,
    wdt3_customer_id=sid,
    server_url=url,
)
pager = json.dumps({"page_no": 0, "page_size": 100, "calc_total": 1})
params = json.dumps({"start_time": start, "end_time": end, "status": 110}, ensure_ascii=False)
out = {}
out["sales"] = sdk.pager_call_api("wdt.wms.stockout.sales.querywithdetail", {"pager": pager, "params": params})
out["shops"] = sdk.pager_call_api("wdt.setting.shop.queryshop", {"pager": json.dumps({"page_no": 0, "page_size": 10}), "params": "{}"})
# With a customer prefix this client signs the full method name; the spec's inner sign strips the prefix.
out["prefixed"] = sdk.pager_call_api("abc123.wdt.wms.stockout.sales.querywithdetail", {"pager": pager, "params": params})
try:
    bad = wdtqm.WdtQimenSDK(app_key, "wrong", target, wdt_key, wdt_secret, sid, url)
    out["bad_top_sign"] = bad.pager_call_api("wdt.setting.shop.queryshop", {"pager": pager, "params": "{}"})
except Exception as error:  # the client raises on error_response
    out["bad_top_sign"] = str(error)
print(json.dumps(out, ensure_ascii=False))
