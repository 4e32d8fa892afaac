# Run from a directory holding target-f16.gguf, draft-f16.gguf and prompts8.json (a JSON list of
# {"domain", "prompt"}), with LLAMA_BIN pointing at llama.cpp's build/bin. Python 3, standard library only.
# llama-server with and without the exported draft over the 8 held-out prompts (not part of specd).
import json, os, subprocess, sys, time, urllib.request, statistics
B = os.environ.get('LLAMA_BIN', 'build/bin') + '/llama-server'
prompts = json.load(open('prompts8.json'))
def run(extra, label):
    proc = subprocess.Popen([B, '-m', 'target-f16.gguf', '--port', '18182', '-t', '2', '-c', '4096',
                             '--host', '127.0.0.1'] + extra, stdout=subprocess.DEVNULL, stderr=open(f'server-{label}.log', 'w'))
    for _ in range(100):
        try: urllib.request.urlopen('http://127.0.0.1:18182/health'); break
        except Exception: time.sleep(0.3)
    rows = []
    try:
        for i, p in enumerate(prompts):
            speeds = []; drafted = accepted = 0; text = None
            for rep in range(5):
                body = json.dumps({'prompt': p['prompt'], 'n_predict': 64, 'temperature': 0, 'cache_prompt': False}).encode()
                r = json.load(urllib.request.urlopen(urllib.request.Request('http://127.0.0.1:18182/completion', body, {'Content-Type': 'application/json'})))
                t = r['timings']; speeds.append(t['predicted_per_second'])
                drafted += t.get('draft_n', 0); accepted += t.get('draft_n_accepted', 0)
                assert text is None or text == r['content']; text = r['content']
            rows.append((p['domain'], max(speeds), drafted // 5, accepted // 5, text))
    finally:
        proc.terminate(); proc.wait()
    return rows
base = run([], 'base')
spec = run(['--model-draft', 'draft-f16.gguf', '--spec-type', 'draft-simple'], 'spec')
for i, (b, s) in enumerate(zip(base, spec)):
    assert b[4] == s[4], f'prompt {i}: speculative output differs'
    print(f'| {i} | {b[0]} | {b[1]:.0f} | {s[1]:.0f} | {s[1]/b[1]:.2f}× | {s[3]}/{s[2]} = {s[3]/max(s[2],1):.0%} |')
tb = sum(r[1] for r in base) / len(base); ts = sum(r[1] for r in spec) / len(spec)
print('mean', round(tb), round(ts), round(ts / tb, 2), sum(r[3] for r in spec), sum(r[2] for r in spec))
