module librefund.example/refund

go 1.19
