// A second, independent YonSuite client in Go's standard library, following the official Go SDK's recipe
// (gitee.com/yycloudopen/yonyou-openapi-sdk, whose module the proxy refuses to serve): parameter names sorted with
// sort.Strings, name+value concatenated, HMAC-SHA256 keyed by the secret, standard Base64, the query built by
// url.Values.Encode, a millisecond timestamp; the token sent both as the access_token header and query parameter.
// Usage: yonyou-go-client <lookupUrl> <tenantId> <appKey> <appSecret> <apiPath> <jsonBody>
// Prints one JSON object: {"lookup": code, "token": code, "call": code, "body": <call answer>}.
package main

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strconv"
	"time"
)

type envelope struct {
	Code    json.RawMessage            `json:"code"`
	Message string                     `json:"message"`
	Data    map[string]json.RawMessage `json:"data"`
}

func sign(params map[string]string, secret string) string {
	names := make([]string, 0, len(params))
	for name := range params {
		names = append(names, name)
	}
	sort.Strings(names)
	message := ""
	for _, name := range names {
		message += name + params[name]
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(message))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

func get(raw string) (envelope, []byte) {
	response, err := http.Get(raw)
	if err != nil {
		fail(err)
	}
	defer response.Body.Close()
	body, _ := io.ReadAll(response.Body)
	var answer envelope
	_ = json.Unmarshal(body, &answer)
	return answer, body
}

func text(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(raw)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}

func main() {
	if len(os.Args) != 7 {
		fail(fmt.Errorf("usage: yonyou-go-client <lookupUrl> <tenantId> <appKey> <appSecret> <apiPath> <jsonBody>"))
	}
	lookupUrl, tenantId, appKey, appSecret, apiPath, jsonBody := os.Args[1], os.Args[2], os.Args[3], os.Args[4], os.Args[5], os.Args[6]
	result := map[string]interface{}{}

	lookup, _ := get(lookupUrl + "/open-auth/dataCenter/getGatewayAddress?" + url.Values{"tenantId": {tenantId}}.Encode())
	result["lookup"] = text(lookup.Code)
	gatewayUrl, tokenUrl := text(lookup.Data["gatewayUrl"]), text(lookup.Data["tokenUrl"])

	params := map[string]string{"appKey": appKey, "timestamp": strconv.FormatInt(time.Now().UnixNano()/1e6, 10)}
	params["signature"] = sign(params, appSecret)
	query := url.Values{}
	for name, value := range params {
		query.Add(name, value)
	}
	token, _ := get(tokenUrl + "/open-auth/selfAppAuth/getAccessToken?" + query.Encode())
	result["token"] = text(token.Code)
	accessToken := text(token.Data["access_token"])

	if accessToken != "" {
		request, err := http.NewRequest("POST", gatewayUrl+apiPath+"?"+url.Values{"access_token": {accessToken}}.Encode(), bytes.NewBufferString(jsonBody))
		if err != nil {
			fail(err)
		}
		request.Header.Set("Content-Type", "application/json")
		request.Header.Set("access_token", accessToken)
		response, err := http.DefaultClient.Do(request)
		if err != nil {
			fail(err)
		}
		body, _ := io.ReadAll(response.Body)
		response.Body.Close()
		var answer envelope
		_ = json.Unmarshal(body, &answer)
		result["call"] = text(answer.Code)
		result["body"] = json.RawMessage(body)
	}
	out, _ := json.Marshal(result)
	fmt.Println(string(out))
}
