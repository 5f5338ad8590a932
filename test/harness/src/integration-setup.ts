// Integration tests talk to real brokers and servers: give them room (unit tests keep jest's 5 s default).
jest.setTimeout(120_000);
