"""Retention policies (data with their legal references), holds, disposition and LTV renewal."""

from .model import RetentionPolicy
from .service import KINDS, policies, policy_for, policy_named

__all__ = ["KINDS", "RetentionPolicy", "policies", "policy_for", "policy_named"]
