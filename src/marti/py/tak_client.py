#!/usr/bin/env python3
"""Independent TAK HTTPS client (Python standard library + the openssl binary for the key/CSR).

Does what a phone does: enroll on the enrollment port with a one-time token, then use the issued
certificate on the client-certificate port to upload a file and fetch it back by SHA-256.
Prints one JSON line with what it observed. Usage:
  tak_client.py HOST ENROLL_PORT HTTPS_PORT CA_PEM USERNAME TOKEN WORKDIR
"""
import base64, hashlib, json, os, ssl, subprocess, sys, urllib.request

host, enroll_port, https_port, ca_pem, user, token, work = sys.argv[1:8]
auth = "Basic " + base64.b64encode(f"{user}:{token}".encode()).decode()

def ctx(cert=None, key=None):
    c = ssl.create_default_context(cafile=ca_pem)
    c.check_hostname = False  # like commo: trust the CA, not the name
    if cert:
        c.load_cert_chain(cert, key)
    return c

def call(url, context, method="GET", data=None, headers=None):
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, context=context) as r:
            return r.status, r.headers.get("Content-Type", ""), r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read()

base_enroll = f"https://{host}:{enroll_port}/Marti"
status, ctype, body = call(base_enroll + "/api/tls/config", ctx(), headers={"Authorization": auth})
assert status == 200, (status, body)
o_value = body.decode().split('name="O" value="')[1].split('"')[0]

key = os.path.join(work, "client.key")
subprocess.run(["openssl", "req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-subj", f"/CN={user}/O={o_value}",
                "-out", os.path.join(work, "client.csr")], check=True, capture_output=True)
csr_pem = open(os.path.join(work, "client.csr")).read()
csr_b64 = "".join(l for l in csr_pem.splitlines() if "-----" not in l)
status, ctype, body = call(base_enroll + "/api/tls/signClient/v2?clientUid=PY-1", ctx(), "POST", csr_b64.encode(),
                           {"Authorization": auth, "Accept": "application/json", "Content-Type": "text/plain"})
assert status == 200, (status, body)
signed = json.loads(body)
cert = os.path.join(work, "client.pem")
with open(cert, "w") as f:
    f.write("-----BEGIN CERTIFICATE-----\n" + signed["signedCert"] + "\n-----END CERTIFICATE-----\n")

# the token is one-time
reuse, _, _ = call(base_enroll + "/api/tls/signClient/v2", ctx(), "POST", csr_b64.encode(), {"Authorization": auth})

base = f"https://{host}:{https_port}/Marti"
tls = ctx(cert, key)
payload = os.urandom(300_000)
digest = hashlib.sha256(payload).hexdigest()
boundary = "pyboundary7d1"
form = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"assetfile\"; filename=\"py.zip\"\r\n"
        f"Content-Type: application/x-zip-compressed\r\n\r\n").encode() + payload + f"\r\n--{boundary}--\r\n".encode()
status, _, url = call(f"{base}/sync/missionupload?hash={digest}&filename=py.zip&creatorUid=PY-1", tls, "POST", form,
                      {"Content-Type": f"multipart/form-data; boundary={boundary}"})
assert status == 200, (status, url)
q_status, _, _ = call(f"{base}/sync/missionquery?hash={digest}", tls)
status, _, got = call(f"{base}/sync/content?hash={digest}", tls)
print(json.dumps({"o": o_value, "reuse": reuse, "uploadUrl": url.decode(), "query": q_status, "download": status,
                  "same": hashlib.sha256(got).hexdigest() == digest}))
