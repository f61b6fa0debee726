// DeleteTopics: by name (v1-5 topic_names, v6 topics[].name) or by topic id (v6).
#include "floe/broker/handlers/handlers.h"

namespace floe::broker {

using kafka::DeleteTopicsResponse;
using kafka::ErrorCode;

void HandleDeleteTopics(RequestContext& ctx, const kafka::DeleteTopicsRequest& req, kafka::DeleteTopicsResponse& resp) {
  Broker& broker = ctx.broker;
  auto delete_one = [&](std::optional<std::string> name, kafka::Uuid id) {
    DeleteTopicsResponse::DeletableTopicResult r;
    if (!name) {
      for (Topic* t : broker.Topics()) {
        if (t->id == id) name = t->name;
      }
    }
    r.name = name;
    r.topic_id = id;
    if (!name) {
      r.error_code = kafka::Code(ErrorCode::kUnknownTopicOrPartition);
      r.error_message = "no topic has this id";
    } else {
      if (Topic* t = broker.FindTopic(*name)) r.topic_id = t->id;
      Status st = broker.DeleteTopic(*name);
      if (!st.ok()) {
        r.error_code = kafka::Code(st.code() == StatusCode::kNotFound ? ErrorCode::kUnknownTopicOrPartition
                                                                      : ErrorCode::kUnknownServerError);
        r.error_message = st.message();
      }
    }
    resp.responses.push_back(std::move(r));
  };
  for (const auto& name : req.topic_names) delete_one(name, kafka::Uuid{});
  for (const auto& t : req.topics) delete_one(t.name, t.topic_id);
}

}  // namespace floe::broker
