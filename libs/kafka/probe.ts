import '@yecai/kafka';
const Batch = require('kafkajs/src/consumer/batch');
console.log('node path ok, filter =', require('kafkajs/src/consumer/filterAbortedMessages').name);
