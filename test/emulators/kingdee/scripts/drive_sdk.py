"""Drives a Kingdee site with the official Python SDK (signature mode) and prints every raw answer as JSON.

usage: drive_sdk.py <server_url> <acct_id> <user> <app_id> <app_secret> <bill_prefix>
The secret arrives as an argument only because this is a test against the emulator's fixture.
"""
import json
import sys

from k3cloud_webapi_sdk.main import K3CloudApiSdk

server_url, acct_id, user, app_id, app_secret, prefix = sys.argv[1:7]
api = K3CloudApiSdk(server_url)
api.InitConfig(acct_id, user, app_id, app_secret, server_url, 2052, 0)


def model(number, qty):
    return {
        "FBillNo": number,
        "FBillTypeID": {"FNumber": "XSCKD01_SYS"},
        "FDate": "2025-03-02",
        "FSaleOrgId": {"FNumber": "100"},
        "FStockOrgId": {"FNumber": "100"},
        "FCustomerID": {"FNumber": "JD-YS01"},
        "F_YC_LogisticsNo": "YT9988776655",
        "F_YC_OnlineOrderNo": "JD-20250302-01",
        "SubHeadEntity": {"FSettleCurrID": {"FNumber": "PRE001"}},
        "FEntity": [
            {
                "FMaterialID": {"FNumber": "A1002-WHT"},
                "FUnitID": {"FNumber": "Pcs"},
                "FRealQty": qty,
                "FTaxPrice": 89.5,
                "FEntryTaxRate": 13,
                "FStockID": {"FNumber": "CK001"},
                "FLot": {"FNumber": "0"},
            }
        ],
    }


main_no, batch_a, batch_b = prefix + "-S", prefix + "-B1", prefix + "-B2"
out = {}
out["save"] = json.loads(api.Save("SAL_OUTSTOCK", {"Model": model(main_no, 2), "NeedReturnFields": ["FBillNo"]}))
out["batchSave"] = json.loads(api.BatchSave("SAL_OUTSTOCK", {"Model": [model(batch_a, 1), model(batch_b, 1), model(main_no, 1)]}))
out["submit"] = json.loads(api.Submit("SAL_OUTSTOCK", {"Numbers": [main_no]}))
out["audit"] = json.loads(api.Audit("SAL_OUTSTOCK", {"Numbers": [main_no]}))
out["view"] = json.loads(api.View("SAL_OUTSTOCK", {"Number": main_no}))
out["query"] = json.loads(api.ExecuteBillQuery({
    "FormId": "SAL_OUTSTOCK",
    "FieldKeys": "FBillNo,FDocumentStatus,F_YC_LogisticsNo,FRealQty,FAllAmount",
    "FilterString": "FBillNo like '" + prefix + "-%'",
    "OrderString": "FBillNo",
    "StartRow": 0,
    "Limit": 100,
}))
out["badQuery"] = json.loads(api.ExecuteBillQuery({"FormId": "SAL_OUTSTOCK", "FieldKeys": "FNoSuchField"}))
out["delete"] = json.loads(api.Delete("SAL_OUTSTOCK", {"Numbers": [batch_b]}))
print(json.dumps(out, ensure_ascii=False))
