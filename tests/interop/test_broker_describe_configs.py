"""DescribeConfigs and CreateTopics configs through confluent-kafka's AdminClient (librdkafka)."""
from confluent_kafka.admin import AdminClient, ConfigResource, NewTopic

from floe_process import FloeServer


def test_create_topic_with_configs_then_describe_it():
    with FloeServer(["broker", "--kafka-listen", "127.0.0.1:0"], ["kafka"]) as s:
        admin = AdminClient({"bootstrap.servers": "%s:%d" % s.doors["kafka"]})
        fs = admin.create_topics([NewTopic("configured", num_partitions=5, replication_factor=1,
                                           config={"retention.ms": "3600000", "message.timestamp.type": "LogAppendTime"})])
        fs["configured"].result(30)
        bad = admin.create_topics([NewTopic("bad-config", 1, 1, config={"no.such.config": "1"})])
        try:
            bad["bad-config"].result(30)
            raise AssertionError("an unknown topic config was accepted")
        except Exception as e:  # KafkaException with INVALID_CONFIG
            assert "no.such.config" in str(e), e
        too_many = admin.create_topics([NewTopic("replicated", 1, 3)])
        try:
            too_many["replicated"].result(30)
            raise AssertionError("replication factor 3 was accepted on one broker")
        except Exception as e:
            assert "replication" in str(e).lower(), e

        res = admin.describe_configs([ConfigResource(ConfigResource.Type.TOPIC, "configured"),
                                      ConfigResource(ConfigResource.Type.BROKER, "0")])
        by_type = {r.restype: f.result(30) for r, f in res.items()}
        topic = by_type[ConfigResource.Type.TOPIC]
        assert topic["retention.ms"].value == "3600000"
        assert topic["retention.ms"].source == 1  # DYNAMIC_TOPIC_CONFIG
        assert topic["message.timestamp.type"].value == "LogAppendTime"
        assert topic["cleanup.policy"].value == "delete"
        broker_cfg = by_type[ConfigResource.Type.BROKER]
        assert broker_cfg["num.partitions"].value == "3"

        md = admin.list_topics(timeout=30)
        assert len(md.topics["configured"].partitions) == 5
        assert "bad-config" not in md.topics
        assert s.stop() == 0
