#!/usr/bin/env python3
"""Generate a Kubernetes tree for the benchmark: N YAML files, one in ten with CORS (ingress-nginx, Istio, Traefik).

    python bench/k8s_tree.py --files 10000 --out /tmp/k8s-tree

The other nine in ten are what a cluster repository holds most: Deployments, Services, ConfigMaps and Helm values,
of realistic length, none of them saying CORS. Deterministic for a seed.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  labels:
    app: {name}
spec:
  replicas: {replicas}
  selector:
    matchLabels:
      app: {name}
  template:
    metadata:
      labels:
        app: {name}
    spec:
      containers:
        - name: {name}
          image: registry.example.com/{name}:{tag}
          ports:
            - containerPort: {port}
          env:
{env}
          resources:
            limits:
              cpu: 500m
              memory: 256Mi
          readinessProbe:
            httpGet:
              path: /healthz
              port: {port}
---
apiVersion: v1
kind: Service
metadata:
  name: {name}
spec:
  selector:
    app: {name}
  ports:
    - port: 80
      targetPort: {port}
"""

CONFIGMAP = """apiVersion: v1
kind: ConfigMap
metadata:
  name: {name}-config
data:
{data}
"""

VALUES = """replicaCount: {replicas}
image:
  repository: registry.example.com/{name}
  tag: "{tag}"
service:
  type: ClusterIP
  port: 80
ingress:
  enabled: true
  className: nginx
  hosts:
    - host: {name}.example.com
      paths:
        - path: /
          pathType: Prefix
resources:
  limits:
    cpu: 500m
    memory: 256Mi
"""

INGRESS = """apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: {name}
  annotations:
    nginx.ingress.kubernetes.io/enable-cors: "true"
    nginx.ingress.kubernetes.io/cors-allow-origin: "https://app.example.com, https://{name}.example.com"
    nginx.ingress.kubernetes.io/cors-allow-credentials: "{credentials}"
spec:
  ingressClassName: nginx
  rules:
    - host: {name}.example.com
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: {name}
                port:
                  number: 80
"""

VIRTUAL_SERVICE = """apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata:
  name: {name}
spec:
  hosts:
    - {name}.example.com
  http:
    - corsPolicy:
        allowOrigins:
          - exact: https://app.example.com
          - prefix: https://{name}.example.com
        allowMethods: [GET, POST]
        allowCredentials: {credentials}
      route:
        - destination:
            host: {name}
"""

MIDDLEWARE = """apiVersion: traefik.io/v1alpha1
kind: Middleware
metadata:
  name: {name}-cors
spec:
  headers:
    accessControlAllowOriginList:
      - https://app.example.com
    accessControlAllowCredentials: {credentials}
    addVaryHeader: true
"""


def plain(rng: random.Random, name: str) -> str:
    kind = rng.randrange(3)
    if kind == 0:
        env = "\n".join(f"            - name: VAR_{i}\n              value: \"{rng.randrange(10**6)}\"" for i in range(rng.randrange(3, 12)))
        return DEPLOYMENT.format(name=name, replicas=rng.randrange(1, 5), tag=f"1.{rng.randrange(40)}", port=8000 + rng.randrange(100), env=env)
    if kind == 1:
        data = "\n".join(f"  key_{i}: \"value {rng.randrange(10**6)}\"" for i in range(rng.randrange(5, 30)))
        return CONFIGMAP.format(name=name, data=data)
    return VALUES.format(name=name, replicas=rng.randrange(1, 5), tag=f"1.{rng.randrange(40)}")


def with_cors(rng: random.Random, name: str) -> str:
    template = (INGRESS, VIRTUAL_SERVICE, MIDDLEWARE)[rng.randrange(3)]
    return template.format(name=name, credentials=rng.choice(("true", "false")))


def generate(out: Path, files: int, seed: int) -> None:
    rng = random.Random(seed)
    for index in range(files):
        name = f"svc{index}"
        folder = out / f"team{index % 20}" / f"app{index // 20 % 25}"
        folder.mkdir(parents=True, exist_ok=True)
        text = with_cors(rng, name) if index % 10 == 0 else plain(rng, name)
        file_name = "values.yaml" if text.startswith("replicaCount") else f"{name}.yaml"
        (folder / f"{index}-{file_name}").write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=10000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=1)
    opts = parser.parse_args()
    generate(opts.out, opts.files, opts.seed)


if __name__ == "__main__":
    main()
