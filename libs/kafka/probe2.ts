require('kafkajs');
require('./src/index');
