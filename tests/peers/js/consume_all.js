// kafkajs 2.2.4 reads a whole topic from the beginning (tests/interop/test_broker_large_fetch.py runs it).
//
//   node consume_all.js BOOTSTRAP TOPIC COUNT
//
// A consumer in a fresh group subscribes from the beginning and stops after COUNT records. Prints one line per
// record on stdout, "PARTITION OFFSET VALUE" in the order kafkajs handed them out (values are ASCII without spaces or
// newlines); logs go to stderr. Exits 1 when COUNT records do not arrive within 120 s.
'use strict';

const { Kafka, logLevel } = require('kafkajs');

async function main() {
  const [bootstrap, topic, countText] = process.argv.slice(2);
  if (!bootstrap || !topic || !countText) throw new Error('usage: node consume_all.js BOOTSTRAP TOPIC COUNT');
  const count = Number(countText);
  const kafka = new Kafka({
    clientId: 'floe-kafkajs-large-fetch',
    brokers: [bootstrap],
    logLevel: logLevel.WARN,
    logCreator: () => ({ namespace, label, log }) => {
      process.stderr.write(`kafkajs ${label} [${namespace}] ${log.message}\n`);
    },
  });
  const consumer = kafka.consumer({ groupId: `large-fetch-${Date.now()}`, maxBytesPerPartition: 1 << 20 });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  const lines = [];
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`consumed ${lines.length} of ${count} in 120 s`)), 120000);
    consumer
      .run({
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) {
            lines.push(`${batch.partition} ${m.offset} ${m.value.toString('latin1')}`);
          }
          if (lines.length >= count) {
            clearTimeout(timer);
            resolve();
          }
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  process.stdout.write(lines.join('\n') + '\n');
}

main().catch((e) => {
  process.stderr.write(`consume_all.js: ${e.stack || e}\n`);
  process.exit(1);
});
