"""term_sheets"""
