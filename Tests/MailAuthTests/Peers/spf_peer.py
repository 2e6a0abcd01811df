"""pyspf's verdicts for a list of SPF checks, its DNS asked of one loopback server.

usage: spf_peer.py PORT CASES.json OUT.json
CASES.json: [{"ip": ..., "mailfrom": ..., "helo": ...}, ...]
OUT.json:   [{"result": ..., "explanation": ...}, ...]
"""
import json
import sys

import dns.resolver
import spf

resolver = dns.resolver.Resolver(configure=False)
resolver.nameservers = ['127.0.0.1']
resolver.port = int(sys.argv[1])
resolver.lifetime = 30
dns.resolver.default_resolver = resolver

# pyspf's older names for two results.
renamed = {'unknown': 'permerror', 'error': 'temperror'}

with open(sys.argv[2]) as source:
    cases = json.load(source)
answers = []
for case in cases:
    query = spf.query(i=case['ip'], s=case['mailfrom'], h=case['helo'])
    query.set_default_explanation('DEFAULT')
    result, _, explanation = query.check()
    answers.append({'result': renamed.get(result, result), 'explanation': explanation})
with open(sys.argv[3], 'w') as out:
    json.dump(answers, out)
