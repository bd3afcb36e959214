"""boto3 driver for sealgate's integration tests (run by /usr/bin/python3).

Reads SG_ENDPOINT, SG_BUCKET, SG_WORK, SG_CA (optional, PEM) and the
credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY; prints one JSON
object with the results. Never prints a credential or a presigned URL.
"""
import json
import os
import ssl
import sys
import urllib.request

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config

MIB = 1024 * 1024
endpoint, bucket, work = os.environ["SG_ENDPOINT"], os.environ["SG_BUCKET"], os.environ["SG_WORK"]
ca = os.environ.get("SG_CA") or None

s3 = boto3.client(
    "s3",
    endpoint_url=endpoint,
    region_name="us-east-1",
    verify=ca if ca else True,
    config=Config(s3={"addressing_style": "path"}, signature_version="s3v4",
                  retries={"max_attempts": 1}, connect_timeout=10, read_timeout=60),
)
ctx = ssl.create_default_context(cafile=ca) if ca else None
out = {"boto3": boto3.__version__}

s3.create_bucket(Bucket=bucket)

# upload_file multipart (5 MiB parts), then download_file.
tc = TransferConfig(multipart_threshold=5 * MIB, multipart_chunksize=5 * MIB, max_concurrency=4)
s3.upload_file(os.path.join(work, "multi.bin"), bucket, "mp/multi.bin", Config=tc,
               ExtraArgs={"Metadata": {"origin": "boto3"}, "ContentType": "application/x-boto3"})
h = s3.head_object(Bucket=bucket, Key="mp/multi.bin")
out["etag"] = h["ETag"].strip('"')
out["length"] = h["ContentLength"]
out["content_type"] = h.get("ContentType", "")
out["metadata"] = h.get("Metadata", {})
s3.download_file(bucket, "mp/multi.bin", os.path.join(work, "multi.down"), Config=tc)

# Presigned PUT and GET with plain urllib (no requests).
body = open(os.path.join(work, "presigned.bin"), "rb").read()
url = s3.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "presigned/put.bin"}, ExpiresIn=300)
req = urllib.request.Request(url, data=body, method="PUT")
with urllib.request.urlopen(req, context=ctx, timeout=60) as r:
    out["put_status"] = r.status
    out["put_etag"] = (r.headers.get("ETag") or "").strip('"')
url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "presigned/put.bin"}, ExpiresIn=300)
with urllib.request.urlopen(url, context=ctx, timeout=60) as r:
    out["get_status"] = r.status
    out["get_same"] = r.read() == body

# Clean up with the resource API's batch delete.
b = boto3.resource("s3", endpoint_url=endpoint, region_name="us-east-1", verify=ca if ca else True,
                   config=Config(s3={"addressing_style": "path"})).Bucket(bucket)
b.objects.all().delete()
out["left"] = [o.key for o in b.objects.all()]
b.delete()
json.dump(out, sys.stdout)
