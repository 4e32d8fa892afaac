# Run from a directory holding target-f16.gguf, draft-f16.gguf and prompts8.json (a JSON list of
# {"domain", "prompt"}), with LLAMA_BIN pointing at llama.cpp's build/bin. Python 3, standard library only.
# llama-speculative over the 8 held-out prompts, passed verbatim with -p (not part of specd).
import json, os, re, subprocess
prompts = json.load(open('prompts8.json'))
for nmax in (3, 5):
    tot_d = tot_a = 0; speeds = []
    for i, p in enumerate(prompts):
        runs = [subprocess.run([os.environ.get('LLAMA_BIN', 'build/bin') + '/llama-speculative', '-m', 'target-f16.gguf',
                              '-md', 'draft-f16.gguf', '-p', p['prompt'], '-n', '64', '--temp', '0', '-t', '2', '-c', '1024',
                              '--spec-draft-n-max', str(nmax)], capture_output=True, text=True).stderr for _ in range(3)]
        # best of three: the machine is shared, and contention only ever slows a run down
        err = max(runs, key=lambda e: float(re.search(r'decoded.*speed: +([\d.]+)', e).group(1)))
        dec = re.search(r'decoded +(\d+) tokens in +([\d.]+) seconds, speed: +([\d.]+)', err)
        d = int(re.search(r'n_drafted = (\d+)', err).group(1)); a = int(re.search(r'n_accept  = (\d+)', err).group(1))
        tot_d += d; tot_a += a; speeds.append(float(dec.group(3)))
        print(f'| {nmax} | {i} | {p["domain"]} | {dec.group(1)} | {float(dec.group(3)):.0f} | {a}/{d} = {a/d:.0%} |')
    print(f'| {nmax} | all | | | {sum(speeds)/len(speeds):.0f} | {tot_a}/{tot_d} = {tot_a/tot_d:.0%} |')
