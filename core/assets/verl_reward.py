"""verl custom reward function that scores with a Reasoner server (`reasoner serve`).

Written beside a `reasoner data export --format verl` Parquet file, so verl's PPO/GRPO scores
responses with the same reward (the config's reward plugin, else the task's checker) that
Reasoner's own search and learners use. Python standard library only.

    reasoner serve --config reasoner.config.ts --port 8080
    python3 -m verl.trainer.main_ppo data.train_files=train.parquet \
        custom_reward_function.path=reasoner_reward.py custom_reward_function.name=compute_score

With verl's batch reward manager (reward_model.reward_manager=batch) use
custom_reward_function.name=compute_score_batch: one request per batch.

Environment: REASONER_URL (default http://127.0.0.1:8080), REASONER_API_KEY (if the server
needs a key), REASONER_TIMEOUT (seconds, default 60).
"""
import json
import os
import urllib.error
import urllib.request

__all__ = ["compute_score", "compute_score_batch"]


def _endpoint():
    return os.environ.get("REASONER_URL", "http://127.0.0.1:8080").rstrip("/") + "/get_reward"


def _post(body):
    headers = {"content-type": "application/json"}
    key = os.environ.get("REASONER_API_KEY")
    if key:
        headers["authorization"] = "Bearer " + key
    req = urllib.request.Request(_endpoint(), data=json.dumps(body).encode("utf-8"), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=float(os.environ.get("REASONER_TIMEOUT", "60"))) as res:
            return json.load(res)
    except urllib.error.HTTPError as e:
        detail = e.read().decode("utf-8", "replace")[:500]
        raise RuntimeError(f"Reasoner reward server answered {e.code} at {_endpoint()}: {detail}") from None
    except (urllib.error.URLError, OSError) as e:
        raise RuntimeError(
            f"cannot reach the Reasoner reward server at {_endpoint()} ({e}): start it with "
            "`reasoner serve --config <your config>` or set REASONER_URL"
        ) from None


def _prompt(info):
    """The task prompt the export put in extra_info (verl passes the row's dict; anything else: none)."""
    prompt = info.get("prompt") if isinstance(info, dict) else None
    return prompt if isinstance(prompt, str) else ""


def _label(gold):
    """The gold answer as the server takes it: '' (the export's "no gold") and None are no label."""
    if isinstance(gold, (list, tuple)) and len(gold) == 1:
        gold = gold[0]
    if gold is None:
        return None
    gold = gold.decode("utf-8") if isinstance(gold, bytes) else str(gold)
    return gold if gold != "" else None


def compute_score_batch(data_sources, solution_strs, ground_truths, extra_infos=None, **_kwargs):
    """Rewards of many responses in one request (verl's batch reward manager)."""
    infos = list(extra_infos) if extra_infos is not None else [None] * len(solution_strs)
    prompts = [_prompt(info) for info in infos]
    body = {
        "query": [p + str(s) for p, s in zip(prompts, solution_strs)],
        "prompts": prompts,
        "labels": [_label(g) for g in ground_truths],
    }
    rewards = _post(body).get("rewards")
    if not isinstance(rewards, list) or len(rewards) != len(body["query"]):
        raise RuntimeError(f"Reasoner reward server returned {rewards!r} for {len(body['query'])} responses")
    if not all(isinstance(r, (int, float)) and not isinstance(r, bool) for r in rewards):
        raise RuntimeError(f"Reasoner reward server returned a reward that is not a number: {rewards!r}")
    return [float(r) for r in rewards]


def compute_score(data_source, solution_str, ground_truth, extra_info=None, **_kwargs):
    """Reward of one response (verl's default reward manager)."""
    return compute_score_batch([data_source], [solution_str], [ground_truth], [extra_info])[0]
