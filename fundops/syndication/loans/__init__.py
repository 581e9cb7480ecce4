"""loans"""
