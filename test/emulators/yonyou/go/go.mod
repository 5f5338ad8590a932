module yecai/yonyou-go-client

go 1.22
