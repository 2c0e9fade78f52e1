"""The composition root: what wires the domain apps together.

``core`` and ``api`` are libraries that know no domain; the apps under ``sahayata/`` each
own one part of the product. This package sits above them all, as Zulip's ``zproject``
and NetBox's ``netbox/`` do: the JSON API's assembly (``api.py``), the periodic jobs
(``jobs.py``, ``manage.py run_jobs``), the demo loader (``manage.py seed_demo``) and the
home page with the network's figures.
"""
